package dev.switchboard.frontdoor.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.models.ModelInfo;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The official Anthropic Java SDK, unchanged but for its base URL, through Switchboard to an OpenAI-protocol
 * upstream (the simulator): every answer is translated both ways through the canonical model.
 */
final class AnthropicSdkE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + fx.gateway().port())
        .apiKey(GatewayFixture.MASTER_KEY).maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static MessageCreateParams.Builder ask(String text) {
    return MessageCreateParams.builder().model("chat").maxTokens(256L).addUserMessage(text);
  }

  private static String text(Message m) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock block : m.content()) block.text().ifPresent(t -> b.append(t.text()));
    return b.toString();
  }

  @Test
  void aMessageIsAnsweredAndMeteredLikeTheUpstreamServedIt() {
    HttpResponseFor<Message> raw = client.messages().withRawResponse().create(ask("count to 5").build());
    Message m = raw.parse();
    m.validate();
    assertThat(text(m)).isEqualTo("1 2 3 4 5");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.model().asString()).isEqualTo("chat");
    String id = raw.headers().values("request-id").getFirst();
    assertThat(raw.headers().values("x-request-id")).containsExactly(id);
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(served.model()).isEqualTo("sim-large");
    assertThat(m.usage().inputTokens()).isEqualTo(served.promptTokens());
    assertThat(m.usage().outputTokens()).isEqualTo(served.completionTokens());
  }

  @Test
  void aStreamArrivesInAnthropicsGrammarAndAccumulatesToTheSameAnswer() {
    MessageAccumulator acc = MessageAccumulator.create();
    List<String> types = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask("count to 7").build())) {
      s.stream().forEach(e -> {
        acc.accumulate(e);
        types.add(e.isMessageStart() ? "message_start" : e.isMessageStop() ? "message_stop"
            : e.isMessageDelta() ? "message_delta" : e.isContentBlockStart() ? "block_start"
            : e.isContentBlockStop() ? "block_stop" : "delta");
      });
    }
    Message m = acc.message();
    assertThat(text(m)).isEqualTo("1 2 3 4 5 6 7");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.usage().outputTokens()).isPositive();
    assertThat(types.getFirst()).isEqualTo("message_start");
    assertThat(types.getLast()).isEqualTo("message_stop");
    assertThat(types.get(types.size() - 2)).isEqualTo("message_delta");
    assertThat(types).contains("block_start", "delta", "block_stop");
  }

  @Test
  void aToolRoundTripTranslatesCallsAndResults() {
    Tool weather = Tool.builder().name("get_weather").description("Weather for a city")
        .inputSchema(Tool.InputSchema.builder()
            .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
            .build())
        .build();
    Message first = client.messages().create(ask("What's the weather in Paris?").addTool(weather).build());
    assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock call = first.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
    assertThat(call.name()).isEqualTo("get_weather");
    JsonNode input = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(call._input().convert(Object.class)));
    assertThat(input.path("city").isString()).isTrue();

    Message second = client.messages().create(ask("What's the weather in Paris?").addTool(weather)
        .addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
            ToolResultBlockParam.builder().toolUseId(call.id()).content("18 degrees and sunny").build())))
        .build());
    assertThat(second.stopReason()).contains(StopReason.END_TURN);
    assertThat(text(second)).contains("18 degrees and sunny");
  }

  @Test
  void modelsAndTokenCountsAnswerInAnthropicsShape() {
    List<String> ids = client.models().list().data().stream().map(ModelInfo::id).toList();
    assertThat(ids).contains("chat");
    long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model("chat")
        .addUserMessage("How many tokens is this sentence?").build()).inputTokens();
    assertThat(tokens).isBetween(5L, 40L);
  }

  @Test
  void whatTheUpstreamCannotCarryIsNamedOrInStrictModeRefused() {
    String body = "{\"model\":\"chat\",\"max_tokens\":20,\"top_k\":5,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count to 2\"}]}";
    HttpResponse<String> lenient = fx.post("/messages", body, "anthropic-version", "2023-06-01");
    assertThat(lenient.statusCode()).isEqualTo(200);
    assertThat(lenient.headers().firstValue("x-switchboard-dropped")).hasValueSatisfying(
        d -> assertThat(d).contains("top_k"));
    assertThat(lenient.body()).contains("1 2");

    HttpResponse<String> strict = fx.post("/messages", body, "anthropic-version", "2023-06-01",
        "x-switchboard-strict", "true");
    assertThat(strict.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(strict.body()).path("error");
    assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asString()).contains("Strict mode").contains("top_k").contains("'sim'");
  }

  @Test
  void errorsComeInAnthropicsShapeWithTheRightExceptions() {
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("no-such-model")
        .maxTokens(10L).addUserMessage("hi").build()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-model");
    AnthropicClient wrongKey = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + fx.gateway().port())
        .apiKey("sk-wrong").maxRetries(0).build();
    assertThatThrownBy(() -> wrongKey.messages().create(ask("hi").build()))
        .isInstanceOf(UnauthorizedException.class);

    HttpResponse<String> noVersion = fx.post("/messages",
        "{\"model\":\"chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "authorization", "Bearer " + GatewayFixture.MASTER_KEY);
    assertThat(noVersion.statusCode()).isEqualTo(400);
    JsonNode body = Json.MAPPER.readTree(noVersion.body());
    assertThat(body.path("type").asString()).isEqualTo("error");
    assertThat(body.path("error").path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(body.path("error").path("message").asString()).contains("anthropic-version");
    assertThat(body.path("request_id").asString()).startsWith("req_");

    HttpResponse<String> noMaxTokens = fx.post("/messages",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "authorization", "Bearer " + GatewayFixture.MASTER_KEY, "anthropic-version", "2023-06-01");
    assertThat(noMaxTokens.statusCode()).isEqualTo(400);
    assertThat(noMaxTokens.body()).contains("max_tokens");
  }
}
