package dev.switchboard.frontdoor.bedrock;

import static dev.switchboard.frontdoor.bedrock.InvokeSupport.claudeBody;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.invoke;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.message;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.text;
import static dev.switchboard.frontdoor.bedrock.InvokeSupport.withWeatherTool;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolUseBlock;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.RecordingUpstream;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official AWS SDK's sync Bedrock Runtime client (Apache, HTTP/1.1) calling InvokeModel with Claude's body, through
 * Switchboard to an OpenAI-protocol upstream ({@code chat}) and an Anthropic one ({@code claude}).
 */
final class BedrockInvokeE2ETest {
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

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void aClaudeBodyIsAnsweredWithAClaudeMessageAndBedrocksMetricsHeaders(String model) {
    InvokeModelResponse r = invoke(client, model, claudeBody("count to 5"));
    Message m = message(r);
    assertThat(text(m)).isEqualTo("1 2 3 4 5");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.model().asString()).isEqualTo(model);
    assertThat(m.id()).startsWith("msg_");
    assertThat(r.contentType()).isEqualTo("application/json");

    String id = r.responseMetadata().requestId();
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(m.usage().inputTokens()).isEqualTo(served.promptTokens());
    assertThat(m.usage().outputTokens()).isEqualTo(served.completionTokens());
    assertThat(header(r, "X-Amzn-Bedrock-Input-Token-Count")).isEqualTo(Long.toString(served.promptTokens()));
    assertThat(header(r, "X-Amzn-Bedrock-Output-Token-Count")).isEqualTo(Long.toString(served.completionTokens()));
    assertThat(Long.parseLong(header(r, "X-Amzn-Bedrock-Invocation-Latency"))).isNotNegative();
    assertThat(fx.exchange(id).endpoint()).isEqualTo("invoke");
  }

  @Test
  void theSystemPromptReachesTheUpstream() {
    ObjectNode body = claudeBody("echo: hi");
    body.put("system", "You are terse.");
    InvokeModelResponse r = invoke(client, "recorded", body);
    assertThat(text(message(r))).isEqualTo(RecordingUpstream.TEXT);
    String id = r.responseMetadata().requestId();
    JsonNode sent = GatewayFixture.get(fx.recorder().received().await(q -> id.equals(q.header("x-request-id")))).json();
    assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
    assertThat(sent.path("messages").get(0).path("content").asString()).isEqualTo("You are terse.");
    assertThat(sent.path("messages").get(1).path("content").asString()).isEqualTo("echo: hi");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void aToolRoundTrip(String model) {
    ObjectNode ask = withWeatherTool(claudeBody("What is the weather in Paris?"));
    Message call = message(invoke(client, model, ask));
    assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock use = call.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
    assertThat(use.name()).isEqualTo("get_weather");
    assertThat(use.id()).matches("[a-zA-Z0-9_-]+");
    JsonNode input = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(use._input()));
    assertThat(input.path("city").isString()).isTrue();

    ArrayNode messages = (ArrayNode) ask.get("messages");
    ObjectNode assistant = messages.addObject();
    assistant.put("role", "assistant");
    ObjectNode block = assistant.putArray("content").addObject();
    block.put("type", "tool_use");
    block.put("id", use.id());
    block.put("name", use.name());
    block.set("input", input);
    ObjectNode result = messages.addObject();
    result.put("role", "user");
    ObjectNode resultBlock = result.putArray("content").addObject();
    resultBlock.put("type", "tool_result");
    resultBlock.put("tool_use_id", use.id());
    resultBlock.put("content", "sunny, 21 C");

    Message answer = message(invoke(client, model, ask));
    assertThat(answer.stopReason()).contains(StopReason.END_TURN);
    assertThat(text(answer)).isEqualTo("The tool returned: sunny, 21 C");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "claude"})
  void runningOutOfTokensStopsWithMaxTokens(String model) {
    ObjectNode body = claudeBody("count to 50");
    body.put("max_tokens", 5);
    Message m = message(invoke(client, model, body));
    assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
    assertThat(m.usage().outputTokens()).isEqualTo(5);
    assertThat(text(m)).startsWith("1 2");
  }

  @Test
  void modelIdsWithSlashesArriveEncodedAndAreDecoded() {
    // The SDK sends acme/chat as acme%2Fchat, as it does inference-profile ARNs.
    Message m = message(invoke(client, "acme/chat", claudeBody("echo: slash ok")));
    assertThat(text(m)).isEqualTo("slash ok");
    assertThat(m.model().asString()).isEqualTo("acme/chat");
  }

  private static String header(InvokeModelResponse r, String name) {
    return r.sdkHttpResponse().firstMatchingHeader(name).orElseThrow(() -> new AssertionError("no " + name));
  }
}
