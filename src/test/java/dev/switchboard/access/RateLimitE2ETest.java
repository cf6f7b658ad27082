package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.StoreUnderTest;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;

/**
 * Rate limits as SDK users meet them: the official OpenAI, Anthropic and AWS clients (retries off, so the refusal
 * surfaces instead of being retried after Retry-After) against a real gateway and the simulator. Each test makes
 * its own keys, so their counts do not meet. Requests within a test are a burst: refills are slow (a request every
 * 20 s at 3 a minute) against the few milliseconds the burst takes. Run on each store: with PostgreSQL + Redis
 * the limits are counted in Redis, and every answer, header and refusal must be the same.
 */
@ParameterizedClass
@EnumSource(StoreUnderTest.Kind.class)
final class RateLimitE2ETest {
  @TempDir
  static java.nio.file.Path dir;
  static GatewayFixture fx;
  @Parameter StoreUnderTest.Kind store;

  @BeforeParameterizedClassInvocation
  static void start(StoreUnderTest.Kind store) throws java.io.IOException {
    fx = GatewayFixture.start(java.nio.file.Files.createDirectories(dir.resolve(store.name())), store);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    fx.close();
  }

  private static Keys.Issued key(String team, String name, Limits limits, boolean sigv4) {
    return fx.gateway().keys().createKey(new Keys.KeySpec(team, name, null, limits, null, null, null, sigv4));
  }

  private static ChatCompletionCreateParams ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
  }

  @Test
  void theOpenAiClientSeesTheHeadersAndARateLimitExceptionWithRetryAfterOnTheFourthRequest() {
    OpenAIClient client = fx.client(key(null, "openai-rpm", new Limits(3, null, null), false).secret());
    for (int left = 2; left >= 0; left--) {
      HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(ask("chat", "hi"));
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.headers().values("x-ratelimit-limit-requests")).containsExactly("3");
      assertThat(raw.headers().values("x-ratelimit-remaining-requests")).containsExactly(Integer.toString(left));
      assertThat(raw.headers().values("x-ratelimit-reset-requests").getFirst()).matches("([0-9]+ms|[0-9.]+s)");
      assertThat(raw.headers().values("x-ratelimit-limit-tokens")).isEmpty();
    }

    RateLimitException e = catchThrowableOfType(RateLimitException.class,
        () -> client.chat().completions().create(ask("chat", "hi")));
    assertThat(e).isNotNull();
    assertThat(e.statusCode()).isEqualTo(429);
    assertThat(e.code()).contains("rate_limit_exceeded");
    assertThat(e.getMessage()).contains("key 'openai-rpm'", "3 requests per minute", "Retry-After");
    assertThat(Integer.parseInt(e.headers().values("retry-after").getFirst())).isBetween(1, 20);
    assertThat(e.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
  }

  @Test
  void aStreamCarriesTheHeadersInItsHead() {
    Keys.Issued issued = key(null, "stream", new Limits(5, 100_000, null), false);
    java.net.http.HttpResponse<String> r = fx.post("/chat/completions",
        "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}",
        "authorization", "Bearer " + issued.secret());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("event-stream"));
    assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).contains("5");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).contains("4");
    assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).contains("100000");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValueSatisfying(
        v -> assertThat(Long.parseLong(v)).isLessThan(100_000));
    assertThat(r.headers().firstValue("x-ratelimit-reset-tokens")).hasValueSatisfying(
        v -> assertThat(v).matches("([0-9]+ms|[0-9]+(\\.[0-9]+)?s)"));
    assertThat(r.body()).contains("data: [DONE]");
  }

  @Test
  void theAnthropicClientSeesItsOwnHeadersAndItsRateLimitException() {
    Keys.Issued issued = key(null, "anthropic-rpm", new Limits(2, null, null), false);
    AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + fx.gateway().port())
        .apiKey(issued.secret()).maxRetries(0).build();
    try {
      MessageCreateParams params = MessageCreateParams.builder().model("chat").maxTokens(256L)
          .addUserMessage("hi").build();
      for (int left = 1; left >= 0; left--) {
        com.anthropic.core.http.HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("anthropic-ratelimit-requests-limit")).containsExactly("2");
        assertThat(raw.headers().values("anthropic-ratelimit-requests-remaining"))
            .containsExactly(Integer.toString(left));
        OffsetDateTime reset = OffsetDateTime.parse(raw.headers().values("anthropic-ratelimit-requests-reset")
            .getFirst());
        assertThat(reset).isAfter(OffsetDateTime.now().minusSeconds(1)).isBefore(OffsetDateTime.now().plusSeconds(62));
        assertThat(raw.headers().values("x-ratelimit-limit-requests")).isEmpty();
      }

      com.anthropic.errors.RateLimitException e = catchThrowableOfType(com.anthropic.errors.RateLimitException.class,
          () -> client.messages().create(params));
      assertThat(e).isNotNull();
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.getMessage()).contains("rate_limit_error", "2 requests per minute");
      assertThat(Integer.parseInt(e.headers().values("retry-after").getFirst())).isBetween(1, 30);
    } finally {
      client.close();
    }
  }

  @Test
  void theAwsClientGetsAThrottlingExceptionAndNoProviderHeaders() {
    Keys.Issued issued = key(null, "bedrock-rpm", new Limits(1, null, null), true);
    try (BedrockRuntimeClient client = BedrockRuntimeClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fx.gateway().port())).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(issued.key().accessKeyId(), issued.secretAccessKey())))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      software.amazon.awssdk.services.bedrockruntime.model.Message user =
          software.amazon.awssdk.services.bedrockruntime.model.Message.builder().role(ConversationRole.USER)
              .content(ContentBlock.fromText("count to 3")).build();
      ConverseResponse ok = client.converse(b -> b.modelId("chat").messages(user));
      assertThat(ok.sdkHttpResponse().headers().keySet()).noneMatch(h -> h.toLowerCase().contains("ratelimit"));

      ThrottlingException e = catchThrowableOfType(ThrottlingException.class,
          () -> client.converse(b -> b.modelId("chat").messages(user)));
      assertThat(e).isNotNull();
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
      assertThat(e.awsErrorDetails().errorMessage()).contains("key 'bedrock-rpm'", "1 request per minute");
      assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("retry-after")).isPresent();
    }
  }

  @Test
  void aTeamsLimitIsSharedByItsKeys() {
    fx.gateway().keys().createTeam("shared", new Limits(3, null, null), null, null);
    OpenAIClient a = fx.client(key("shared", "team-a", null, false).secret());
    OpenAIClient b = fx.client(key("shared", "team-b", new Limits(100, null, null), false).secret());
    a.chat().completions().create(ask("chat", "hi"));
    a.chat().completions().create(ask("chat", "hi"));
    HttpResponseFor<ChatCompletion> third = b.chat().completions().withRawResponse().create(ask("chat", "hi"));
    // The team has less left than the key, so its numbers are the ones shown.
    assertThat(third.headers().values("x-ratelimit-limit-requests")).containsExactly("3");
    assertThat(third.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");

    for (OpenAIClient c : List.of(a, b)) {
      RateLimitException e = catchThrowableOfType(RateLimitException.class,
          () -> c.chat().completions().create(ask("chat", "hi")));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("team 'shared'", "3 requests per minute");
    }
  }

  @Test
  void oneConcurrentRequestAtATimeAndTheSlotFreesWhenTheFirstEnds() throws Exception {
    Keys.Issued issued = key(null, "one-at-a-time", new Limits(null, null, 1), false);
    OpenAIClient client = fx.client(issued.secret());
    String body = "{\"model\":\"slow\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + issued.secret()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", fx.gateway().port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      // Admitted and at the simulator, which will not answer for 30 s: the key's one slot is taken.
      GatewayFixture.get(fx.slowTap().forwardedHeads().await(n -> true));

      RateLimitException e = catchThrowableOfType(RateLimitException.class,
          () -> client.chat().completions().create(ask("chat", "hi")));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("Concurrency limit reached", "1 request at a time");
      assertThat(e.headers().values("retry-after")).containsExactly("1");
    } // hang up: the exchange ends and gives its slot back

    ExchangeRecord gone = fx.exchange(r -> issued.key().id().equals(r.keyId()) && "slow".equals(r.model()));
    assertThat(gone.outcome()).isEqualTo("client_gone");
    assertThat(client.chat().completions().create(ask("chat", "hi")).choices()).isNotEmpty();
  }

  @Test
  void tokensAreCorrectedByTheActualUsageAndARequestBeyondTheWholeLimitIsToldNotToRetry() {
    OpenAIClient client = fx.client(key(null, "tpm", new Limits(null, 10_000, null), false).secret());
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("chat").addUserMessage("hi")
        .maxCompletionTokens(3_000L).build();
    HttpResponseFor<ChatCompletion> first = client.chat().completions().withRawResponse().create(params);
    long afterFirst = Long.parseLong(first.headers().values("x-ratelimit-remaining-tokens").getFirst());
    long used = first.parse().usage().orElseThrow().totalTokens();
    assertThat(first.headers().values("x-ratelimit-limit-tokens")).containsExactly("10000");
    // Admitted on its estimate, output included: its max_completion_tokens, or the default when the front door leaves
    // that unread.
    assertThat(afterFirst).isLessThan(10_000 - 3_000);

    HttpResponseFor<ChatCompletion> second = client.chat().completions().withRawResponse().create(params);
    long afterSecond = Long.parseLong(second.headers().values("x-ratelimit-remaining-tokens").getFirst());
    // The first gave back all but what it used. Without that the second would leave 3,000 fewer, which the refill
    // (10,000 a minute) makes up only after 18 s.
    assertThat(afterSecond).isGreaterThanOrEqualTo(afterFirst - used);

    OpenAIClient small = fx.client(key(null, "tpm-small", new Limits(null, 1_000, null), false).secret());
    RateLimitException e = catchThrowableOfType(RateLimitException.class,
        () -> small.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
            .addUserMessage("hi").maxCompletionTokens(2_000L).build()));
    assertThat(e).isNotNull();
    assertThat(e.statusCode()).isEqualTo(429);
    assertThat(e.getMessage()).contains("can never be admitted", "1000 tokens per minute");
    assertThat(e.headers().values("x-should-retry")).containsExactly("false");
    assertThat(e.headers().values("retry-after")).isEmpty();
  }
}
