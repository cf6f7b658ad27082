package dev.switchboard.frontdoor.bedrock;

import static dev.switchboard.frontdoor.bedrock.InvokeSupport.bytes;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.claudeBody;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.invoke;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.sim.Fault;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import tools.jackson.databind.node.ObjectNode;

/**
 * InvokeModel's failures as the official AWS SDK (sync client) sees them: each one the typed Bedrock exception, with a
 * message that says what to do.
 */
final class BedrockInvokeErrorsE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static BedrockRuntimeClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = InvokeSupport.syncClient(fx);
  }

  @AfterAll
  static void stop() {
    client.close();
    fx.close();
  }

  @AfterEach
  void clearFaults() {
    fx.clearFaults();
  }

  @Test
  void anUnknownModelIsResourceNotFound() {
    assertThatThrownBy(() -> invoke(client, "no-such-model", claudeBody("hi")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.getMessage()).contains("no-such-model").contains("chat");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // Meta Llama
      "{\"prompt\": \"<|begin_of_text|>hi\", \"max_gen_len\": 512, \"temperature\": 0.5}",
      // Amazon Titan Text
      "{\"inputText\": \"hi\", \"textGenerationConfig\": {\"maxTokenCount\": 512}}",
      // Mistral
      "{\"prompt\": \"<s>[INST] hi [/INST]\", \"max_tokens\": 200}",
      // Anthropic's own Messages body, as sent to api.anthropic.com
      "{\"model\": \"claude\", \"max_tokens\": 100, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
      "[\"not an object\"]"})
  void aBodyThatIsNotClaudesIsAValidationExceptionPointingAtConverse(String body) {
    assertThatThrownBy(() -> client.invokeModel(b -> b.modelId("chat").contentType("application/json")
        .body(SdkBytes.fromUtf8String(body))))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.getMessage()).contains("anthropic_version").contains("bedrock-2023-05-31")
              .contains("Converse (POST /model/{modelId}/converse) works for every model");
          assertThat(fx.exchange(e.requestId()).outcome()).as("refused before any upstream").isEqualTo("rejected");
        });
  }

  @Test
  void aClaudeBodyWithAnotherVersionOrAModelOrAMistakeIsAValidationExceptionNamingTheField() {
    ObjectNode otherVersion = claudeBody("hi").put("anthropic_version", "2023-06-01");
    assertThatThrownBy(() -> invoke(client, "chat", otherVersion)).isInstanceOfSatisfying(ValidationException.class,
        e -> assertThat(e.getMessage()).contains("anthropic_version: \"2023-06-01\" is not supported")
            .contains("bedrock-2023-05-31"));

    ObjectNode withModel = claudeBody("hi").put("model", "claude");
    assertThatThrownBy(() -> invoke(client, "chat", withModel)).isInstanceOfSatisfying(ValidationException.class,
        e -> assertThat(e.getMessage()).contains("model: Extra inputs are not permitted"));

    ObjectNode noMaxTokens = claudeBody("hi");
    noMaxTokens.remove("max_tokens");
    assertThatThrownBy(() -> invoke(client, "chat", noMaxTokens)).isInstanceOfSatisfying(ValidationException.class,
        e -> assertThat(e.getMessage()).contains("max_tokens: Field required"));
  }

  @Test
  void signaturesAreVerifiedAsOnConverse() {
    try (BedrockRuntimeClient wrongSecret = InvokeSupport.syncClient(fx, GatewayFixture.MASTER_KEY, "not-it")) {
      assertThatThrownBy(() -> invoke(wrongSecret, "chat", claudeBody("hi")))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
          });
    }
    try (BedrockRuntimeClient unknownKey = InvokeSupport.syncClient(fx, "AKIDUNKNOWN", "whatever")) {
      assertThatThrownBy(() -> invoke(unknownKey, "chat", claudeBody("hi")))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
          });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"faulty", "claude-faulty"})
  void upstreamFaultsAreTheMatchingTypedExceptions(String model) {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status(503).withCount(1));
    assertThatThrownBy(() -> invoke(client, model, claudeBody("hi")))
        .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.getMessage()).contains("answered HTTP 503");
        });
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status429(7).withCount(1));
    assertThatThrownBy(() -> invoke(client, model, claudeBody("hi")))
        .isInstanceOfSatisfying(ThrottlingException.class, e -> assertThat(e.statusCode()).isEqualTo(429));
  }

  @Test
  void whatTheUpstreamCannotCarryIsNamedOrInStrictModeRefused() {
    ObjectNode body = claudeBody("echo: k").put("top_k", 5);
    InvokeModelResponse r = invoke(client, "chat", body);
    assertThat(r.sdkHttpResponse().firstMatchingHeader("x-switchboard-dropped")).hasValueSatisfying(
        v -> assertThat(v).contains("top_k"));

    assertThatThrownBy(() -> client.invokeModel(b -> b.modelId("chat").contentType("application/json").body(bytes(body))
        .overrideConfiguration(o -> o.putHeader("x-switchboard-strict", "true"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.getMessage())
            .contains("Strict mode").contains("top_k"));
  }

  @Test
  void theSdkWithoutAnExplicitContentTypeIsServed() {
    InvokeModelResponse r = client.invokeModel(b -> b.modelId("chat").body(bytes(claudeBody("echo: plain"))));
    assertThat(Json.MAPPER.readTree(r.body().asUtf8String()).path("content").get(0).path("text").asString())
        .isEqualTo("plain");
  }
}
