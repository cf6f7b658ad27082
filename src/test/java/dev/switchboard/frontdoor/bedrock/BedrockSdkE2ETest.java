package dev.switchboard.frontdoor.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;

/**
 * The official AWS SDK's Bedrock Runtime client (sync, HTTP/1.1), unchanged but for its endpoint, signing with
 * SigV4 through Switchboard to an OpenAI-protocol upstream.
 */
final class BedrockSdkE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static BedrockRuntimeClient client(String keyId, String secret) {
    return BedrockRuntimeClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fx.gateway().port()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  private static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
  }

  @Test
  void converseIsSignedVerifiedTranslatedAndAnswered() {
    try (BedrockRuntimeClient client = client(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)) {
      ConverseResponse r = client.converse(b -> b.modelId("chat").messages(user("count to 5")));
      assertThat(r.output().message().content().getFirst().text()).isEqualTo("1 2 3 4 5");
      assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
      String id = r.responseMetadata().requestId();
      LedgerEntry served = fx.ledgerEntry(id);
      assertThat(r.usage().inputTokens()).isEqualTo(served.promptTokens());
      assertThat(r.usage().outputTokens()).isEqualTo(served.completionTokens());
    }
  }

  @Test
  void converseStreamOverHttp2CleartextArrivesAsEventStreamFrames() throws Exception {
    try (BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fx.gateway().port()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)))
        .build()) {
      StringBuilder text = new StringBuilder();
      List<String> kinds = new CopyOnWriteArrayList<>();
      long[] outputTokens = new long[1];
      ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
          .subscriber(ConverseStreamResponseHandler.Visitor.builder()
              .onMessageStart(e -> kinds.add("messageStart"))
              .onContentBlockDelta(e -> {
                kinds.add("delta");
                if (e.delta().text() != null) text.append(e.delta().text());
              })
              .onContentBlockStop(e -> kinds.add("blockStop"))
              .onMessageStop(e -> kinds.add("messageStop:" + e.stopReasonAsString()))
              .onMetadata(e -> {
                kinds.add("metadata");
                outputTokens[0] = e.usage().outputTokens();
              })
              .build())
          .build();
      client.converseStream(b -> b.modelId("chat").messages(user("count to 4")), handler).get(30, TimeUnit.SECONDS);
      assertThat(text.toString()).isEqualTo("1 2 3 4");
      assertThat(kinds.getFirst()).isEqualTo("messageStart");
      assertThat(kinds).contains("delta", "blockStop", "messageStop:end_turn");
      assertThat(kinds.getLast()).isEqualTo("metadata");
      assertThat(outputTokens[0]).isPositive();
    }
  }

  @Test
  void modelIdsWithColonsArriveEncodedAndAreDecoded() {
    try (BedrockRuntimeClient client = client(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)) {
      ConverseResponse r = client.converse(b -> b.modelId("team:chat-v1").messages(user("echo: colon ok")));
      assertThat(r.output().message().content().getFirst().text()).isEqualTo("colon ok");
    }
  }

  @Test
  void errorsAreTheAwsExceptionsTheSdkKnows() {
    try (BedrockRuntimeClient client = client(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)) {
      assertThatThrownBy(() -> client.converse(b -> b.modelId("no-such-model").messages(user("hi"))))
          .isInstanceOf(ResourceNotFoundException.class);
    }
    try (BedrockRuntimeClient wrongSecret = client(GatewayFixture.MASTER_KEY, "not-the-secret")) {
      assertThatThrownBy(() -> wrongSecret.converse(b -> b.modelId("chat").messages(user("hi"))))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
          });
    }
    try (BedrockRuntimeClient unknownKey = client("AKIDUNKNOWN", "whatever")) {
      assertThatThrownBy(() -> unknownKey.converse(b -> b.modelId("chat").messages(user("hi"))))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
          });
    }
  }
}
