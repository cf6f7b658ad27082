package dev.switchboard.frontdoor.bedrock;

import static dev.switchboard.frontdoor.bedrock.InvokeSupport.claudeBody;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.stream;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.text;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.withWeatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolUseBlock;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official AWS SDK's async Bedrock Runtime client (Netty, HTTP/2 cleartext, its default) calling
 * InvokeModelWithResponseStream with Claude's body: event-stream chunks whose bytes are Anthropic stream events,
 * from an OpenAI-protocol upstream ({@code chat}) and an Anthropic one ({@code claude}).
 */
final class BedrockInvokeStreamE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static BedrockRuntimeAsyncClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = InvokeSupport.asyncClient(fx);
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

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void chunksCarryTheAnthropicEventsAndTheLastOneTheInvocationMetrics(String model) {
    InvokeSupport.Streamed s = stream(client, model, claudeBody("count to 5"), null);
    assertThat(s.response().contentType()).isEqualTo("application/json");
    assertThat(s.types()).doesNotContain("ping");
    Message m = s.message();
    assertThat(text(m)).isEqualTo("1 2 3 4 5");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.model().asString()).isEqualTo(model);

    String id = s.response().responseMetadata().requestId();
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(served.stream()).isTrue();
    assertThat(m.usage().inputTokens()).isEqualTo(served.promptTokens());
    assertThat(m.usage().outputTokens()).isEqualTo(served.completionTokens());
    JsonNode metrics = s.last().path("amazon-bedrock-invocationMetrics");
    assertThat(metrics.path("inputTokenCount").asLong()).isEqualTo(served.promptTokens());
    assertThat(metrics.path("outputTokenCount").asLong()).isEqualTo(served.completionTokens());
    long firstByte = metrics.path("firstByteLatency").asLong(-1);
    assertThat(firstByte).isNotNegative();
    assertThat(metrics.path("invocationLatency").asLong(-1)).isGreaterThanOrEqualTo(firstByte);

    ExchangeRecord record = fx.exchange(id);
    assertThat(record.endpoint()).isEqualTo("invoke");
    assertThat(record.outcome()).isEqualTo("completed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void aToolCallStreamsItsInputAsJsonFragments(String model) {
    InvokeSupport.Streamed s = stream(client, model, withWeatherTool(claudeBody("Weather in Oslo?")), null);
    assertThat(s.types()).contains("content_block_start", "content_block_delta", "content_block_stop");
    assertThat(s.events()).anySatisfy(e -> assertThat(e.path("delta").path("type").asString())
        .isEqualTo("input_json_delta"));
    Message m = s.message();
    assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
    assertThat(use.name()).isEqualTo("get_weather");
    JsonNode input = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(use._input()));
    assertThat(input.path("city").isString()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void aSystemPromptAndMaxTokensStopWithMaxTokens(String model) {
    ObjectNode body = claudeBody("count to 50");
    body.put("max_tokens", 4);
    body.putArray("system").addObject().put("type", "text").put("text", "Count carefully.");
    InvokeSupport.Streamed s = stream(client, model, body, null);
    assertThat(s.message().stopReason()).contains(StopReason.MAX_TOKENS);
    assertThat(s.message().usage().outputTokens()).isEqualTo(4);
    assertThat(s.last().path("amazon-bedrock-invocationMetrics").path("outputTokenCount").asLong()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"faulty", "claude-faulty"})
  void anUpstreamCutAfterTheStreamStartedIsAnExceptionFrameNeverACleanEnd(String model) {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.cut(3).withCount(1));
    List<JsonNode> before = new CopyOnWriteArrayList<>();
    Throwable thrown = catchThrowable(() -> stream(client, model, claudeBody("count to 20"), before));
    assertThat(thrown).as("a cut stream must never look complete").isInstanceOf(InternalServerException.class);
    assertThat(thrown.getMessage()).contains("broke off");
    assertThat(before).as("what arrived before the cut").isNotEmpty();
    assertThat(before.getFirst().path("type").asString()).isEqualTo("message_start");
    assertThat(before).noneMatch(e -> e.path("type").asString().equals("message_stop"));
  }

  @Test
  void anUpstreamFallingSilentMidStreamIsAModelTimeout() {
    List<JsonNode> before = new CopyOnWriteArrayList<>();
    Throwable thrown = catchThrowable(() -> stream(client, "trickle", claudeBody("tell me a story"), before));
    // InvokeModelWithResponseStream, unlike ConverseStream, has a typed in-stream timeout.
    assertThat(thrown).isInstanceOf(ModelTimeoutException.class);
    assertThat(before).as("the timeout came after the stream started").isNotEmpty();
    assertThat(thrown.getMessage()).contains("sim-trickle").contains("idle timeout");
  }

  @Test
  void anUpstreamFailureBeforeTheStreamIsABedrockErrorResponse() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status429(3).withCount(1));
    Throwable thrown = catchThrowable(() -> stream(client, "claude-faulty", claudeBody("hi"), null));
    assertThat(thrown).isInstanceOfSatisfying(ThrottlingException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.getMessage()).contains("sim-anthropic-faulty");
    });
  }
}
