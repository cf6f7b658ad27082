package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolChoiceNone;
import com.anthropic.models.messages.ToolChoiceTool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic tool use through the official SDK, streamed and not, the rules on pairing tool ids, and the same calls and
 * usage as the OpenAI side gives for the same conversation.
 */
final class SimAnthropicToolsTest {
  static SimFixture fx;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
    client = fx.anthropic("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static Tool tool(String name, String schema) {
    try {
      return Tool.builder().name(name).description("a tool")
          .inputSchema(ObjectMappers.jsonMapper().readValue(schema, Tool.InputSchema.class)).build();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static MessageCreateParams.Builder weatherRequest() {
    return MessageCreateParams.builder().model("sim-large").maxTokens(1024)
        .addUserMessage("What's the weather in Paris?")
        .addTool(tool("get_weather", SimToolsTest.WEATHER_SCHEMA))
        .addTool(tool("get_time", "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}"));
  }

  private static String inputJson(ToolUseBlock call) {
    try {
      return ObjectMappers.jsonMapper().writeValueAsString(call._input());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ContentBlockParam result(String toolUseId, String content) {
    return ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(toolUseId).content(content).build());
  }

  @Test
  void callsTheFirstToolThenAnswersFromItsResult() {
    Message first = client.messages().create(weatherRequest().build());
    assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
    assertThat(first.content()).hasSize(1);
    ToolUseBlock call = first.content().getFirst().asToolUse();
    assertThat(call.id()).matches("toolu_[a-zA-Z0-9_-]+");
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.caller().isDirect()).isTrue();
    String input = inputJson(call);
    SimToolsTest.assertValidWeather(input);
    assertThat(first.usage().outputTokens()).isEqualTo(Tokens.count(input));

    Message second = client.messages().create(weatherRequest()
        .addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(result(call.id(), "{\"temperature\":21,\"sky\":\"clear\"}")))
        .build());
    assertThat(second.stopReason()).contains(StopReason.END_TURN);
    assertThat(second.content()).hasSize(1);
    assertThat(second.content().getFirst().asText().text()).contains("{\"temperature\":21,\"sky\":\"clear\"}");
    // the assistant's tool input and the tool result are part of the prompt
    assertThat(second.usage().inputTokens()).isGreaterThan(first.usage().inputTokens() + Tokens.count(input));
  }

  private static ChatCompletionCreateParams.Builder openAiWeatherRequest() {
    return ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("What's the weather in Paris?")
        .addTool(SimToolsTest.tool("get_weather", SimToolsTest.WEATHER_SCHEMA))
        .addTool(SimToolsTest.tool("get_time", "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}"));
  }

  @Test
  void sameToolCallAndUsageAsOpenAi() {
    Message first = client.messages().create(weatherRequest().build());
    ToolUseBlock call = first.content().getFirst().asToolUse();
    ChatCompletion oFirst = fx.client("a").chat().completions().create(openAiWeatherRequest().build());
    ChatCompletionMessageFunctionToolCall oCall =
        oFirst.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(inputJson(call)).isEqualTo(oCall.function().arguments());
    assertThat(first.usage().inputTokens()).isEqualTo(oFirst.usage().orElseThrow().promptTokens());
    assertThat(first.usage().outputTokens()).isEqualTo(oFirst.usage().orElseThrow().completionTokens());

    Message second = client.messages().create(weatherRequest().addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(result(call.id(), "sunny"))).build());
    ChatCompletion oSecond = fx.client("a").chat().completions().create(openAiWeatherRequest()
        .addMessage(oFirst.choices().getFirst().message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(oCall.id()).content("sunny").build())
        .build());
    assertThat(second.content().getFirst().asText().text())
        .isEqualTo(oSecond.choices().getFirst().message().content().orElseThrow());
    assertThat(second.usage().inputTokens()).isEqualTo(oSecond.usage().orElseThrow().promptTokens());
  }

  @Test
  void forcedAnyAndNone() {
    Message forced = client.messages().create(weatherRequest()
        .toolChoice(ToolChoiceTool.builder().name("get_time").build()).build());
    assertThat(forced.stopReason()).contains(StopReason.TOOL_USE); // Anthropic says tool_use even when forced
    assertThat(forced.content().getFirst().asToolUse().name()).isEqualTo("get_time");

    Message any = client.messages().create(weatherRequest().toolChoice(ToolChoiceAny.builder().build()).build());
    assertThat(any.content().getFirst().asToolUse().name()).isEqualTo("get_weather");

    Message none = client.messages().create(weatherRequest().toolChoice(ToolChoiceNone.builder().build()).build());
    assertThat(none.stopReason()).contains(StopReason.END_TURN);
    assertThat(none.content().getFirst().asText().text()).isNotBlank();
  }

  @Test
  void streamedToolUseAccumulates() {
    List<RawMessageStreamEvent> events = new ArrayList<>();
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(weatherRequest().build())) {
      s.stream().forEach(e -> events.add(acc.accumulate(e)));
    }
    ToolUseBlock head = events.get(1).asContentBlockStart().contentBlock().asToolUse();
    assertThat(head.id()).startsWith("toolu_");
    assertThat(head.name()).isEqualTo("get_weather");
    assertThat(inputJson(head)).isEqualTo("{}");
    long fragments = events.stream().filter(RawMessageStreamEvent::isContentBlockDelta)
        .filter(e -> e.asContentBlockDelta().delta().isInputJson()).count();
    assertThat(fragments).isGreaterThan(3);

    Message whole = acc.message();
    assertThat(whole.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock call = whole.content().getFirst().asToolUse();
    assertThat(call.id()).isEqualTo(head.id());
    SimToolsTest.assertValidWeather(inputJson(call));
    assertThat(whole.usage().outputTokens()).isEqualTo(fragments);
  }

  @Test
  void toolResultsMustPairWithTheToolUsesBeforeThem() {
    Message first = client.messages().create(weatherRequest().build());
    String id = first.content().getFirst().asToolUse().id();

    // a result for a call that was never made
    assertThatThrownBy(() -> client.messages().create(weatherRequest().addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(result(id, "ok"), result("toolu_other", "?"))).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.apiMessage().orElseThrow()).contains("unexpected `tool_use_id`").contains("toolu_other"));
    // a call left without its result
    assertThatThrownBy(() -> client.messages().create(weatherRequest().addMessage(first)
        .addUserMessage("and now?").build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.apiMessage().orElseThrow()).contains("without `tool_result`").contains(id));
    // results after other content
    assertThatThrownBy(() -> client.messages().create(weatherRequest().addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofText(TextBlockParam.builder().text("here")
            .build()), result(id, "ok"))).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.apiMessage().orElseThrow()).contains("must come before"));
    // a tool_use in a user message
    assertThatThrownBy(() -> client.messages().create(weatherRequest()
        .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolUse(ToolUseBlockParam.builder().id("x")
            .name("get_time").input(ToolUseBlockParam.Input.builder().build()).build()))).build()))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void structuredOutputFollowsTheSchema() {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages",
        "{\"model\":\"sim-small\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"Invent a person.\"}],"
            + "\"output_config\":{\"format\":{\"type\":\"json_schema\",\"schema\":" + SimToolsTest.PERSON_SCHEMA + "}}}",
        "x-api-key", "k", "anthropic-version", "2026-10-21");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode person = Json.MAPPER.readTree(Json.MAPPER.readTree(r.body()).at("/content/0/text").asString());
    assertThat(person.propertyNames()).containsExactlyInAnyOrder("name", "age", "tags", "address");
  }
}
