package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import dev.switchboard.util.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import tools.jackson.databind.JsonNode;

/**
 * InvokeModel and InvokeModelWithResponseStream with the Anthropic-on-Bedrock body, through the AWS SDK; the answers
 * are read back with the Anthropic SDK's own models, so they must be valid Anthropic messages and events.
 */
final class SimBedrockInvokeTest {
  static final String CLAUDE = SimBedrockConverseTest.CLAUDE_ID;
  static SimFixture fx;
  static BedrockRuntimeClient client;
  static BedrockRuntimeAsyncClient async;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(new SimDeploymentSpec("b", "r1", List.of("sim-large", CLAUDE), 0, Duration.ZERO, 0, 12, 1));
    client = fx.bedrock("b");
    async = fx.bedrockAsync("b");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static SdkBytes body(String text) {
    return SdkBytes.fromUtf8String("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,"
        + "\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.writeValueAsString(text) + "}]}");
  }

  @Test
  void invokeModelAnswersWithAnAnthropicMessageAndTokenHeaders() throws Exception {
    InvokeModelResponse r = client.invokeModel(b -> b.modelId(CLAUDE).contentType("application/json")
        .accept("application/json").body(body("count to 4")));
    assertThat(r.contentType()).isEqualTo("application/json");
    Message m = ObjectMappers.jsonMapper().readValue(r.body().asUtf8String(), Message.class);
    m.validate();
    assertThat(m.id()).startsWith("msg_bdrk_");
    assertThat(m.model().asString()).isEqualTo(CLAUDE);
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3 4");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.usage().inputTokens()).isEqualTo(Tokens.count("count to 4") + 6);

    var headers = r.sdkHttpResponse();
    assertThat(headers.firstMatchingHeader("x-amzn-bedrock-input-token-count"))
        .contains(Long.toString(m.usage().inputTokens()));
    assertThat(headers.firstMatchingHeader("x-amzn-bedrock-output-token-count"))
        .contains(Long.toString(m.usage().outputTokens()));
    assertThat(headers.firstMatchingHeader("x-amzn-bedrock-invocation-latency")).isPresent();

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals(r.responseMetadata().requestId()))
        .get(10, TimeUnit.SECONDS);
    assertThat(e.endpoint()).isEqualTo("invoke");
    assertThat(e.stream()).isFalse();
    assertThat(e.model()).isEqualTo(CLAUDE);
    assertThat(e.promptTokens()).isEqualTo(m.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(m.usage().outputTokens());
  }

  @Test
  void theStreamIsAnthropicEventsInChunksWithInvocationMetricsLast() throws Exception {
    List<String> chunks = new CopyOnWriteArrayList<>();
    List<InvokeModelWithResponseStreamResponse> head = new CopyOnWriteArrayList<>();
    async.invokeModelWithResponseStream(InvokeModelWithResponseStreamRequest.builder().modelId(CLAUDE)
            .contentType("application/json").accept("application/json").body(body("count to 5")).build(),
        InvokeModelWithResponseStreamResponseHandler.builder().onResponse(head::add)
            .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                .onChunk(p -> chunks.add(p.bytes().asUtf8String())).build())
            .build())
        .get(30, TimeUnit.SECONDS);
    assertThat(head.getFirst().contentType()).isEqualTo("application/json");

    MessageAccumulator acc = MessageAccumulator.create();
    List<String> types = new ArrayList<>();
    for (String chunk : chunks) {
      types.add(Json.MAPPER.readTree(chunk).get("type").asString());
      acc.accumulate(ObjectMappers.jsonMapper().readValue(chunk, RawMessageStreamEvent.class));
    }
    Message m = acc.message();
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3 4 5");
    int pieces = Tokens.count("1 2 3 4 5");
    List<String> expected = new ArrayList<>(List.of("message_start", "content_block_start", "ping"));
    for (int i = 0; i < pieces; i++) expected.add("content_block_delta");
    expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
    assertThat(types).containsExactlyElementsOf(expected);

    JsonNode metrics = Json.MAPPER.readTree(chunks.getLast()).get("amazon-bedrock-invocationMetrics");
    assertThat(metrics.propertyNames()).containsExactly("inputTokenCount", "outputTokenCount", "invocationLatency",
        "firstByteLatency");
    assertThat(metrics.get("inputTokenCount").asInt()).isEqualTo(m.usage().inputTokens());
    assertThat(metrics.get("outputTokenCount").asInt()).isEqualTo(pieces).isEqualTo(m.usage().outputTokens());
    assertThat(metrics.get("invocationLatency").asLong()).isGreaterThanOrEqualTo(
        metrics.get("firstByteLatency").asLong());

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals(head.getFirst().responseMetadata().requestId()))
        .get(10, TimeUnit.SECONDS);
    assertThat(e.endpoint()).isEqualTo("invoke");
    assertThat(e.stream()).isTrue();
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.promptTokens()).isEqualTo(metrics.get("inputTokenCount").asInt());
    assertThat(e.completionTokens()).isEqualTo(metrics.get("outputTokenCount").asInt());
  }

  @Test
  void theBodyIsCheckedAsBedrockChecksAnthropicBodies() {
    SdkBytes withModel = SdkBytes.fromUtf8String("{\"anthropic_version\":\"bedrock-2023-05-31\",\"model\":\"x\","
        + "\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThatThrownBy(() -> client.invokeModel(b -> b.modelId(CLAUDE).body(withModel)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("model: Extra inputs are not permitted"));
    SdkBytes noVersion = SdkBytes.fromUtf8String("{\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}");
    assertThatThrownBy(() -> client.invokeModel(b -> b.modelId(CLAUDE).body(noVersion)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("anthropic_version: Field required"));
    SdkBytes noMax = SdkBytes.fromUtf8String("{\"anthropic_version\":\"bedrock-2023-05-31\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThatThrownBy(() -> client.invokeModel(b -> b.modelId(CLAUDE).body(noMax)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("max_tokens: Field required"));
  }
}
