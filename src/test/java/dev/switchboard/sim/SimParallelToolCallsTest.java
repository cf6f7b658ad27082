package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * "Use every tool" calls every offered tool in one answer, as each protocol renders parallel calls, streamed and not;
 * a client that disables parallel calls gets one; several tool results are all quoted.
 */
final class SimParallelToolCallsTest {
  private static final String TIME_SCHEMA = "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}},"
      + "\"required\":[\"tz\"]}";
  private static final String ASK = "Use every tool: the weather in Paris and the time there.";
  private static final String OPENAI_TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
      + "\"parameters\":" + SimToolsTest.WEATHER_SCHEMA + "}},"
      + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":" + TIME_SCHEMA + "}}]";
  private static final String ANTHROPIC_TOOLS = "[{\"name\":\"get_weather\",\"input_schema\":"
      + SimToolsTest.WEATHER_SCHEMA + "},{\"name\":\"get_time\",\"input_schema\":" + TIME_SCHEMA + "}]";

  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static HttpResponse<String> openAiRaw(String extra) {
    return fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", "{\"model\":\"sim-large\"," + extra
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + ASK + "\"}],\"tools\":" + OPENAI_TOOLS + "}",
        "authorization", "Bearer k");
  }

  private static JsonNode openAi(String extra) {
    HttpResponse<String> r = openAiRaw(extra);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  private static HttpResponse<String> anthropicRaw(String extra, String messages) {
    return fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages", "{\"model\":\"sim-large\"," + extra
        + "\"messages\":" + messages + ",\"tools\":" + ANTHROPIC_TOOLS + "}",
        "x-api-key", "k", "anthropic-version", "2023-06-01");
  }

  private static JsonNode anthropic(String extra) {
    HttpResponse<String> r = anthropicRaw("\"max_tokens\":1024," + extra,
        "[{\"role\":\"user\",\"content\":\"" + ASK + "\"}]");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  /** The {@code data:} JSON of each SSE event, in order ({@code [DONE]} left out). */
  private static List<JsonNode> events(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: {")) out.add(Json.MAPPER.readTree(line.substring("data: ".length())));
    }
    return out;
  }

  @Test
  void openAiCallsEveryToolInOneMessage() {
    JsonNode c = openAi("");
    JsonNode calls = c.at("/choices/0/message/tool_calls");
    assertThat(calls.size()).isEqualTo(2);
    assertThat(calls.get(0).at("/function/name").asString()).isEqualTo("get_weather");
    assertThat(calls.get(1).at("/function/name").asString()).isEqualTo("get_time");
    assertThat(calls.get(0).get("id").asString()).startsWith("call_").isNotEqualTo(calls.get(1).get("id").asString());
    SimToolsTest.assertValidWeather(calls.get(0).at("/function/arguments").asString());
    assertThat(Json.MAPPER.readTree(calls.get(1).at("/function/arguments").asString()).get("tz").isString()).isTrue();
    assertThat(c.at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");
    assertThat(c.at("/usage/completion_tokens").asInt()).isEqualTo(
        Tokens.count(calls.get(0).at("/function/arguments").asString())
            + Tokens.count(calls.get(1).at("/function/arguments").asString()));

    JsonNode one = openAi("\"parallel_tool_calls\":false,");
    assertThat(one.at("/choices/0/message/tool_calls").size()).isEqualTo(1);
    assertThat(one.at("/choices/0/message/tool_calls/0/function/name").asString()).isEqualTo("get_weather");
  }

  @Test
  void openAiStreamsEachCallUnderItsOwnIndex() {
    List<JsonNode> events = events(openAiRaw("\"stream\":true,"));
    JsonNode head = events.getFirst().at("/choices/0/delta");
    assertThat(head.get("role").asString()).isEqualTo("assistant");
    assertThat(head.at("/tool_calls/0/index").asInt()).isZero();
    assertThat(head.at("/tool_calls/0/function/name").asString()).isEqualTo("get_weather");
    List<Integer> indexes = new ArrayList<>();
    List<StringBuilder> args = List.of(new StringBuilder(), new StringBuilder());
    JsonNode secondHead = null;
    for (JsonNode e : events.subList(1, events.size() - 1)) {
      JsonNode call = e.at("/choices/0/delta/tool_calls/0");
      int index = call.get("index").asInt();
      indexes.add(index);
      if (call.has("id")) {
        assertThat(secondHead).isNull();
        secondHead = call;
      } else {
        args.get(index).append(call.at("/function/arguments").asString());
      }
    }
    assertThat(secondHead).isNotNull();
    assertThat(secondHead.get("index").asInt()).isEqualTo(1);
    assertThat(secondHead.get("id").asString()).startsWith("call_");
    assertThat(secondHead.at("/function/name").asString()).isEqualTo("get_time");
    assertThat(secondHead.at("/function/arguments").asString()).isEmpty();
    // the first call's fragments, then the second call's: [0, 0, ..., 1, 1, ...]
    assertThat(indexes).isSorted().contains(0, 1);
    SimToolsTest.assertValidWeather(args.get(0).toString());
    assertThat(Json.MAPPER.readTree(args.get(1).toString()).get("tz").isString()).isTrue();
    assertThat(events.getLast().at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");

    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = fx.client("a").chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("sim-large").addUserMessage(ASK)
            .addTool(SimToolsTest.tool("get_weather", SimToolsTest.WEATHER_SCHEMA))
            .addTool(SimToolsTest.tool("get_time", TIME_SCHEMA)).build())) {
      s.stream().forEach(acc::accumulate);
    }
    List<ChatCompletionMessageToolCall> calls =
        acc.chatCompletion().choices().getFirst().message().toolCalls().orElseThrow();
    assertThat(calls).extracting(c -> c.asFunction().function().name()).containsExactly("get_weather", "get_time");
    assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo(args.get(0).toString());
  }

  @Test
  void openAiQuotesEveryToolResultOfTheLastTurn() {
    JsonNode calls = openAi("").at("/choices/0/message/tool_calls");
    String body = "{\"model\":\"sim-large\",\"tools\":" + OPENAI_TOOLS + ",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"" + ASK + "\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":" + calls + "},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"" + calls.get(0).get("id").asString() + "\",\"content\":\"sunny\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"" + calls.get(1).get("id").asString() + "\",\"content\":\"14:00\"}]}";
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", body,
        "authorization", "Bearer k");
    assertThat(Json.MAPPER.readTree(r.body()).at("/choices/0/message/content").asString())
        .isEqualTo("The tool returned: sunny; 14:00");
  }

  @Test
  void theTokenLimitLeavesOutCallsItDidNotReach() {
    JsonNode whole = openAi("").at("/choices/0/message/tool_calls");
    int first = Tokens.count(whole.get(0).at("/function/arguments").asString());

    JsonNode exact = openAi("\"max_completion_tokens\":" + first + ",");
    assertThat(exact.at("/choices/0/message/tool_calls").size()).isEqualTo(1);
    assertThat(exact.at("/choices/0/finish_reason").asString()).isEqualTo("length");

    JsonNode oneMore = openAi("\"max_completion_tokens\":" + (first + 1) + ",");
    assertThat(oneMore.at("/choices/0/message/tool_calls").size()).isEqualTo(2);
    assertThat(oneMore.at("/choices/0/message/tool_calls/0/function/arguments").asString())
        .isEqualTo(whole.get(0).at("/function/arguments").asString());
    assertThat(oneMore.at("/usage/completion_tokens").asInt()).isEqualTo(first + 1);

    JsonNode cut = anthropic("").get("content");
    JsonNode anthropicCut = Json.MAPPER.readTree(anthropicRaw("\"max_tokens\":" + (first + 1) + ",",
        "[{\"role\":\"user\",\"content\":\"" + ASK + "\"}]").body());
    assertThat(anthropicCut.get("stop_reason").asString()).isEqualTo("max_tokens");
    assertThat(anthropicCut.get("content").size()).isEqualTo(2);
    assertThat(anthropicCut.at("/content/0/input")).isEqualTo(cut.get(0).get("input"));
    assertThat(anthropicCut.at("/content/1/input").isEmpty()).as("a cut call has no input").isTrue();
  }

  @Test
  void anthropicAnswersWithOneToolUseBlockPerTool() {
    JsonNode m = anthropic("");
    assertThat(m.get("stop_reason").asString()).isEqualTo("tool_use");
    JsonNode content = m.get("content");
    assertThat(content.size()).isEqualTo(2);
    assertThat(content.get(0).get("type").asString()).isEqualTo("tool_use");
    assertThat(content.get(0).get("name").asString()).isEqualTo("get_weather");
    assertThat(content.get(1).get("name").asString()).isEqualTo("get_time");
    assertThat(content.get(0).get("id").asString()).matches("toolu_[a-zA-Z0-9]+")
        .isNotEqualTo(content.get(1).get("id").asString());
    SimToolsTest.assertValidWeather(Json.MAPPER.writeValueAsString(content.get(0).get("input")));
    assertThat(m.at("/usage/output_tokens").asInt()).isEqualTo(
        Tokens.count(Json.MAPPER.writeValueAsString(content.get(0).get("input")))
            + Tokens.count(Json.MAPPER.writeValueAsString(content.get(1).get("input"))));
    // the same calls, with the same arguments, as the OpenAI side makes
    JsonNode openAiCalls = openAi("").at("/choices/0/message/tool_calls");
    assertThat(Json.MAPPER.writeValueAsString(content.get(1).get("input")))
        .isEqualTo(openAiCalls.get(1).at("/function/arguments").asString());

    JsonNode one = anthropic("\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true},");
    assertThat(one.get("content").size()).isEqualTo(1);
    assertThat(one.at("/content/0/name").asString()).isEqualTo("get_weather");
  }

  @Test
  void anthropicStreamsEachCallAsItsOwnBlock() {
    HttpResponse<String> r = anthropicRaw("\"max_tokens\":1024,\"stream\":true,",
        "[{\"role\":\"user\",\"content\":\"" + ASK + "\"}]");
    List<String> shape = new ArrayList<>();
    List<StringBuilder> inputs = List.of(new StringBuilder(), new StringBuilder());
    for (JsonNode e : events(r)) {
      String type = e.get("type").asString();
      switch (type) {
        case "content_block_start" -> shape.add("start " + e.get("index").asInt() + " "
            + e.at("/content_block/name").asString());
        case "content_block_delta" -> {
          int index = e.get("index").asInt();
          inputs.get(index).append(e.at("/delta/partial_json").asString());
          String step = "delta " + index;
          if (!shape.getLast().equals(step)) shape.add(step); // one entry per run of deltas
        }
        case "content_block_stop" -> shape.add("stop " + e.get("index").asInt());
        default -> shape.add(type);
      }
    }
    assertThat(shape).containsExactly("message_start", "start 0 get_weather", "ping", "delta 0", "stop 0",
        "start 1 get_time", "delta 1", "stop 1", "message_delta", "message_stop");
    SimToolsTest.assertValidWeather(inputs.get(0).toString());
    assertThat(Json.MAPPER.readTree(inputs.get(1).toString()).get("tz").isString()).isTrue();
  }

  @Test
  void anthropicQuotesEveryToolResultOfTheLastTurn() {
    JsonNode content = anthropic("").get("content");
    String messages = "[{\"role\":\"user\",\"content\":\"" + ASK + "\"},"
        + "{\"role\":\"assistant\",\"content\":" + content + "},"
        + "{\"role\":\"user\",\"content\":["
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"" + content.get(0).get("id").asString()
        + "\",\"content\":\"sunny\"},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"" + content.get(1).get("id").asString()
        + "\",\"content\":[{\"type\":\"text\",\"text\":\"14:00\"}]}]}]";
    HttpResponse<String> r = anthropicRaw("\"max_tokens\":1024,", messages);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode m = Json.MAPPER.readTree(r.body());
    assertThat(m.get("stop_reason").asString()).isEqualTo("end_turn");
    assertThat(m.at("/content/0/text").asString()).isEqualTo("The tool returned: sunny; 14:00");
  }
}
