package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import tools.jackson.databind.JsonNode;

/** Bedrock Converse through the official AWS SDK (sync, HTTP/1.1): answers, usage against the ledger, errors, auth. */
final class SimBedrockConverseTest {
  /** Bedrock model ids as the SDK puts them in the path: a colon, and an inference-profile ARN with a slash. */
  static final String CLAUDE_ID = "anthropic.claude-sim-v1:0";
  static final String PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.sim-large";
  static SimFixture fx;
  static BedrockRuntimeClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(new SimDeploymentSpec("b", "r1", List.of("sim-large", CLAUDE_ID, PROFILE_ARN), 0,
        Duration.ZERO, 0, 12, 1));
    client = fx.bedrock("b");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersTheTextAndReportsExactlyTheUsageInTheLedger() throws Exception {
    ConverseResponse r = client.converse(b -> b.modelId("sim-large").messages(user("count to 5")));
    assertThat(r.output().message().role()).isEqualTo(ConversationRole.ASSISTANT);
    assertThat(r.output().message().content()).hasSize(1);
    assertThat(r.output().message().content().getFirst().text()).isEqualTo("1 2 3 4 5");
    assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
    // The same conversation costs the same on every protocol: cl100k tokens + 3 per message + 3.
    assertThat(r.usage().inputTokens()).isEqualTo(Tokens.count("count to 5") + 6);
    assertThat(r.usage().outputTokens()).isEqualTo(Tokens.count("1 2 3 4 5"));
    assertThat(r.usage().totalTokens()).isEqualTo(r.usage().inputTokens() + r.usage().outputTokens());
    assertThat(r.metrics().latencyMs()).isNotNegative();

    LedgerEntry e = ledger(r.responseMetadata().requestId());
    assertThat(e.endpoint()).isEqualTo("converse");
    assertThat(e.stream()).isFalse();
    assertThat(e.model()).isEqualTo("sim-large");
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.promptTokens()).isEqualTo(r.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(r.usage().outputTokens());
  }

  @Test
  void modelIdsArePercentDecodedFromThePath() throws Exception {
    ConverseResponse colon = client.converse(b -> b.modelId(CLAUDE_ID).messages(user("echo: colon")));
    assertThat(colon.output().message().content().getFirst().text()).isEqualTo("colon");
    assertThat(ledger(colon.responseMetadata().requestId()).model()).isEqualTo(CLAUDE_ID);
    ConverseResponse arn = client.converse(b -> b.modelId(PROFILE_ARN).messages(user("echo: slash")));
    assertThat(arn.output().message().content().getFirst().text()).isEqualTo("slash");
    assertThat(ledger(arn.responseMetadata().requestId()).model()).isEqualTo(PROFILE_ARN);
  }

  @Test
  void systemPromptAndInferenceConfigAreHonoured() {
    ConverseResponse limited = client.converse(b -> b.modelId("sim-large").messages(user("count to 50"))
        .system(SystemContentBlock.fromText("Be terse."))
        .inferenceConfig(c -> c.maxTokens(3).temperature(0.2f).topP(0.9f)));
    assertThat(limited.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    assertThat(limited.usage().outputTokens()).isEqualTo(3);
    assertThat(limited.usage().inputTokens()).isEqualTo(Tokens.count("Be terse.") + Tokens.count("count to 50") + 9);

    ConverseResponse stopped = client.converse(b -> b.modelId("sim-large").messages(user("count to 9"))
        .inferenceConfig(c -> c.stopSequences(" 4")));
    assertThat(stopped.output().message().content().getFirst().text()).isEqualTo("1 2 3");
    assertThat(stopped.stopReason()).isEqualTo(StopReason.STOP_SEQUENCE);
    assertThat(stopped.additionalModelResponseFields()).isNull();
    // Which sequence stopped it is reported only when asked for, as Bedrock does for Anthropic models.
    ConverseResponse reported = client.converse(b -> b.modelId("sim-large").messages(user("count to 9"))
        .inferenceConfig(c -> c.stopSequences(" 4")).additionalModelResponseFieldPaths("/stop_sequence"));
    assertThat(reported.additionalModelResponseFields().asMap().get("stop_sequence"))
        .isEqualTo(Document.fromString(" 4"));
  }

  @Test
  void aConversationMustStartWithTheUserAlternateAndHaveNoBlankText() {
    Message assistant = Message.builder().role(ConversationRole.ASSISTANT).content(ContentBlock.fromText("hi"))
        .build();
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(assistant, user("hi"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.awsErrorDetails().errorMessage()).startsWith("A conversation must start with a user message");
        });
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(user("a"), user("b"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .startsWith("A conversation must alternate between user and assistant roles"));
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(user(" "))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the "
                + "text field, and try again."));
  }

  @Test
  void anUnknownModelIsAValidationExceptionRecordedInTheLedger() throws Exception {
    assertThatThrownBy(() -> client.converse(b -> b.modelId("nope").messages(user("hi"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
          assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The provided model identifier is invalid.");
          assertThat(e.requestId()).isNotBlank();
        });
    LedgerEntry e = fx.sim.ledger().await(x -> x.model().equals("nope")).get(10, TimeUnit.SECONDS);
    assertThat(e.outcome()).isEqualTo("error:400");
    assertThat(e.endpoint()).isEqualTo("converse");
  }

  @Test
  void anUnsignedRequestIsRefusedWith403() {
    try (BedrockRuntimeClient anonymous = BedrockRuntimeClient.builder()
        .endpointOverride(java.net.URI.create(fx.sim.deployment("b").bedrockBaseUrl())).region(Region.US_EAST_1)
        .credentialsProvider(AnonymousCredentialsProvider.create()).httpClient(ApacheHttpClient.create())
        .overrideConfiguration(SimFixture.NO_RETRIES).build()) {
      assertThatThrownBy(() -> anonymous.converse(b -> b.modelId("sim-large").messages(user("hi"))))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingAuthenticationTokenException");
          });
    }
  }

  @Test
  void rawRequestsShowTheWireShape() throws Exception {
    String url = fx.sim.deployment("b").bedrockBaseUrl() + "/model/sim-large/converse";
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"count to 2\"}]}]}";

    HttpResponse<String> unsigned = fx.post(url, body, "x-request-id", "raw-403");
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(unsigned.headers().firstValue("x-amzn-ErrorType").orElseThrow())
        .startsWith("MissingAuthenticationTokenException:");
    assertThat(unsigned.headers().firstValue("x-amzn-RequestId")).contains("raw-403");
    assertThat(Json.MAPPER.readTree(unsigned.body()).propertyNames()).containsExactly("message");
    assertThat(ledger("raw-403").outcome()).isEqualTo("error:403");

    // A Bedrock API key is a bearer token; the caller's x-request-id names the exchange, as a gateway's does.
    HttpResponse<String> ok = fx.post(url, body, "authorization", "Bearer bedrock-api-key", "x-request-id", "raw-200");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("x-amzn-RequestId")).contains("raw-200");
    JsonNode answer = Json.MAPPER.readTree(ok.body());
    assertThat(answer.propertyNames()).containsExactly("output", "stopReason", "usage", "metrics");
    assertThat(answer.at("/output/message/content/0").propertyNames()).containsExactly("text");
    assertThat(answer.at("/usage").propertyNames()).containsExactly("inputTokens", "outputTokens", "totalTokens",
        "cacheReadInputTokens", "cacheWriteInputTokens");
    assertThat(ledger("raw-200").completionTokens()).isEqualTo(answer.at("/usage/outputTokens").asInt());

    // Signatures are not verified, but a credential scoped to the endpoint's name instead of 'bedrock' is refused.
    String sigV4 = "AWS4-HMAC-SHA256 Credential=AKIDSIM/20260101/us-east-1/%s/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=" + "0123456789abcdef".repeat(4);
    HttpResponse<String> signed = fx.post(url, body, "authorization", sigV4.formatted("bedrock"),
        "x-amz-date", "20260101T000000Z");
    assertThat(signed.statusCode()).isEqualTo(200);
    HttpResponse<String> wrongService = fx.post(url, body, "authorization", sigV4.formatted("bedrock-runtime"),
        "x-amz-date", "20260101T000000Z");
    assertThat(wrongService.statusCode()).isEqualTo(403);
    assertThat(wrongService.headers().firstValue("x-amzn-ErrorType").orElseThrow())
        .startsWith("InvalidSignatureException:");
    assertThat(fx.post(url, body, "authorization", "AWS4-HMAC-SHA256 Credential=AKIDSIM").statusCode())
        .isEqualTo(403);

    HttpResponse<String> notJson = fx.post(url, "{not json", "authorization", "Bearer k");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.headers().firstValue("x-amzn-ErrorType").orElseThrow()).startsWith("ValidationException:");
    HttpResponse<String> twoMembers = fx.post(url, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\","
        + "\"type\":\"text\"}]}]}", "authorization", "Bearer k");
    assertThat(twoMembers.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(twoMembers.body()).get("message").asString()).contains("messages.0.content.0");
    HttpResponse<String> unknownOp = fx.post(fx.sim.deployment("b").bedrockBaseUrl() + "/model/sim-large/chat",
        body, "authorization", "Bearer k");
    assertThat(unknownOp.statusCode()).isEqualTo(404);
    assertThat(unknownOp.headers().firstValue("x-amzn-ErrorType").orElseThrow())
        .startsWith("UnknownOperationException:");
  }
}
