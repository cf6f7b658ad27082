package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.PrivateCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * The gateway serving HTTPS on its one port, with a certificate from a private CA, in front of the simulator. Each
 * official SDK is configured the way a user makes it trust their CA, and nothing else changes: ALPN gives HTTP/2 to
 * clients that offer it and HTTP/1.1 to the rest.
 */
final class TlsListenerTest {
  @TempDir static Path dir;
  static PrivateCa ca;
  static GatewayFixture fx;

  @BeforeAll
  static void start() {
    ca = PrivateCa.create("Switchboard Test CA");
    fx = GatewayFixture.startWithTls(dir, ca.issue("localhost", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static String origin() {
    return "https://127.0.0.1:" + fx.gateway().port();
  }

  private static TlsTrustManagersProvider trustingTheCa() {
    return () -> new TrustManager[] {ca.trustManager()};
  }

  @Test
  void theOpenAiSdkTrustsThePrivateCaAndGetsAnswersAndStreams() {
    assertThat(fx.gateway().openAiBaseUrl()).isEqualTo(origin() + "/v1");
    OpenAIClient client = fx.client(OpenAIOkHttpClient.builder().apiKey(GatewayFixture.MASTER_KEY)
        .sslSocketFactory(ca.sslContext().getSocketFactory()).trustManager(ca.trustManager()));

    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
        .addUserMessage("count to 5").build());
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3 4 5");

    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("chat").addUserMessage("count to 4").build())) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    assertThat(streamed.toString()).isEqualTo("1 2 3 4");
  }

  @Test
  void theAnthropicSdkTrustsThePrivateCaAndGetsAnswersAndStreams() {
    AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(origin()).apiKey(GatewayFixture.MASTER_KEY)
        .sslSocketFactory(ca.sslContext().getSocketFactory()).trustManager(ca.trustManager())
        .maxRetries(0).build();
    try {
      com.anthropic.models.messages.Message m = client.messages().create(MessageCreateParams.builder().model("chat").maxTokens(256L)
          .addUserMessage("count to 5").build());
      StringBuilder text = new StringBuilder();
      for (com.anthropic.models.messages.ContentBlock block : m.content()) block.text().ifPresent(t -> text.append(t.text()));
      assertThat(text.toString()).isEqualTo("1 2 3 4 5");

      StringBuilder streamed = new StringBuilder();
      try (com.anthropic.core.http.StreamResponse<com.anthropic.models.messages.RawMessageStreamEvent> s = client.messages().createStreaming(
          MessageCreateParams.builder().model("chat").maxTokens(256L).addUserMessage("count to 3").build())) {
        s.stream().forEach(e -> e.contentBlockDelta().flatMap(d -> d.delta().text())
            .ifPresent(t -> streamed.append(t.text())));
      }
      assertThat(streamed.toString()).isEqualTo("1 2 3");
    } finally {
      client.close();
    }
  }

  /**
   * The async client's HTTP/2 over TLS, as Bedrock Runtime's own endpoints serve it. The client offers only {@code h2}
   * by ALPN and speaks nothing else once connected, so an answer at all means HTTP/2 was negotiated.
   */
  @Test
  void theBedrockAsyncClientStreamsOverHttp2NegotiatedByAlpn() throws Exception {
    try (BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
        .endpointOverride(URI.create(origin()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
            .tlsTrustManagersProvider(trustingTheCa()))
        .build()) {
      StringBuilder text = new StringBuilder();
      String[] stop = new String[1];
      ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
          .subscriber(ConverseStreamResponseHandler.Visitor.builder()
              .onContentBlockDelta(e -> {
                if (e.delta().text() != null) text.append(e.delta().text());
              })
              .onMessageStop(e -> stop[0] = e.stopReasonAsString())
              .build())
          .build();
      client.converseStream(b -> b.modelId("chat").messages(user("count to 4")), handler).get(30, TimeUnit.SECONDS);
      assertThat(text.toString()).isEqualTo("1 2 3 4");
      assertThat(stop[0]).isEqualTo("end_turn");
    }
  }

  /**
   * A Netty client built by hand skips the Bedrock client's defaults, among them ALPN; without it, HTTP/2 over TLS
   * would be sent with prior knowledge, which the gateway answers as HTTP/1.1. This is the configuration
   * docs/compatibility.md gives such users.
   */
  @Test
  void aNettyClientBuiltByHandGetsHttp2WhenItAsksForAlpn() throws Exception {
    try (NettyNioAsyncHttpClient http = (NettyNioAsyncHttpClient) NettyNioAsyncHttpClient.builder()
            .protocol(Protocol.HTTP2).protocolNegotiation(ProtocolNegotiation.ALPN)
            .tlsTrustManagersProvider(trustingTheCa()).build();
        BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
            .endpointOverride(URI.create(origin()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)))
            .httpClient(http)
            .build()) {
      ConverseResponse r = client.converse(b -> b.modelId("chat").messages(user("count to 3")))
          .get(30, TimeUnit.SECONDS);
      assertThat(r.output().message().content().getFirst().text()).isEqualTo("1 2 3");
    }
  }

  /** The sync client's Apache HTTP client offers no ALPN at all: the gateway must fall back to HTTP/1.1. */
  @Test
  void theBedrockSyncClientConversesOverHttpsWithoutAlpn() {
    try (BedrockRuntimeClient client = BedrockRuntimeClient.builder()
        .endpointOverride(URI.create(origin()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)))
        .httpClient(ApacheHttpClient.builder().tlsTrustManagersProvider(trustingTheCa()).build())
        .build()) {
      ConverseResponse r = client.converse(b -> b.modelId("chat").messages(user("count to 5")));
      assertThat(r.output().message().content().getFirst().text()).isEqualTo("1 2 3 4 5");
    }
  }

  @Test
  void alpnGivesHttp2ToAClientThatOffersIt() throws Exception {
    try (HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.sslContext())
        .build()) {
      HttpResponse<String> ready = h2.send(HttpRequest.newBuilder(URI.create(origin() + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("\"status\":\"ready\"");

      HttpResponse<String> chat = h2.send(HttpRequest.newBuilder(fx.uri("/chat/completions"))
          .header("authorization", "Bearer " + GatewayFixture.MASTER_KEY)
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(chat.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(chat.statusCode()).isEqualTo(200);
      assertThat(chat.body()).contains("1 2 3");
    }
  }

  @Test
  void anHttp11OnlyClientStillGetsHttp11() {
    HttpResponse<String> live = fx.send(HttpRequest.newBuilder(URI.create(origin() + "/health/live")).build());
    assertThat(live.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(live.statusCode()).isEqualTo(200);

    HttpResponse<String> chat = fx.post("/chat/completions",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}");
    assertThat(chat.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(chat.body()).contains("1 2 3");
  }

  /** A client left on http:// gets an error at once, not a hang until its timeout. */
  @Test
  void cleartextIsRefusedOnTheTlsPort() {
    try (HttpClient plain = HttpClient.newHttpClient()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway().port()
          + "/health/live")).timeout(Duration.ofSeconds(10)).build();
      assertThatThrownBy(() -> plain.send(request, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpTimeoutException.class);
    }
  }

  private static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
  }
}
