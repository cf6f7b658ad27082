package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Gemini function calling: calls with thought signatures, the round trip that replays them, and the 400s Gemini 3
 * answers when a signature is missing or not its own, or when calls and responses do not pair up.
 */
final class SimGeminiToolsTest {
  static final String TOOLS = ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":"
      + "\"Weather\",\"parametersJsonSchema\":" + SimToolsTest.WEATHER_SCHEMA + "},{\"name\":\"get_time\","
      + "\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}}]}]";
  static final String QUESTION = "{\"role\":\"user\",\"parts\":[{\"text\":\"What's the weather in Paris?\"}]}";

  static SimFixture fx;
  static GeminiCalls gemini;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
    gemini = new GeminiCalls(fx, "a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static String body(String contents, String more) {
    return "{\"contents\":[" + contents + "]" + TOOLS + more + "}";
  }

  private static String response(String name, String result) {
    return "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"" + name + "\",\"response\":{\"content\":"
        + Json.MAPPER.writeValueAsString(result) + "}}}]}";
  }

  /** A model turn calling {@code name} with {@code {}}, signed with {@code signature} unless null. */
  private static String call(String name, String signature) {
    return "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"" + name + "\",\"args\":{}}"
        + (signature == null ? "" : ",\"thoughtSignature\":\"" + signature + "\"") + "}]}";
  }

  @Test
  void callsTheFirstFunctionWithASignatureThenAnswersFromTheResponse() throws Exception {
    JsonNode first = ok(gemini.generate(body(QUESTION, ""), "x-request-id", "gt-1"));
    JsonNode c = first.at("/candidates/0");
    assertThat(c.path("finishReason").asString()).isEqualTo("STOP"); // Gemini says STOP for calls too
    JsonNode part = c.at("/content/parts/0");
    assertThat(part.at("/functionCall/name").asString()).isEqualTo("get_weather");
    String args = Json.MAPPER.writeValueAsString(part.at("/functionCall/args"));
    SimToolsTest.assertValidWeather(args);
    String signature = part.path("thoughtSignature").asString();
    assertThat(signature).startsWith(ThoughtSignatures.MARK).hasSizeGreaterThan(300); // as long as a real one
    assertThat(first.at("/usageMetadata/candidatesTokenCount").asInt()).isEqualTo(Tokens.count(args));
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("gt-1")).get(10, TimeUnit.SECONDS).completionTokens())
        .isEqualTo(Tokens.count(args));
    // deterministic, like the rest of the answer
    assertThat(ok(gemini.generate(body(QUESTION, ""))).at("/candidates/0/content/parts/0/thoughtSignature")
        .asString()).isEqualTo(signature);

    String modelTurn = Json.MAPPER.writeValueAsString(c.path("content"));
    JsonNode second = ok(gemini.generate(body(QUESTION + "," + modelTurn + ","
        + response("get_weather", "{\"temperature\":21}"), "")));
    assertThat(GeminiCalls.text(second, 0)).isEqualTo("The tool returned: {\"temperature\":21}");
  }

  @Test
  void sameCallAndUsageAsOpenAi() {
    JsonNode first = ok(gemini.generate(body(QUESTION, "")));
    JsonNode call = first.at("/candidates/0/content/parts/0/functionCall");
    ChatCompletionCreateParams.Builder openAi = ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("What's the weather in Paris?")
        .addTool(SimToolsTest.tool("get_weather", SimToolsTest.WEATHER_SCHEMA))
        .addTool(SimToolsTest.tool("get_time", "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}"));
    ChatCompletion oFirst = fx.client("a").chat().completions().create(openAi.build());
    ChatCompletionMessageFunctionToolCall oCall =
        oFirst.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(Json.MAPPER.writeValueAsString(call.path("args"))).isEqualTo(oCall.function().arguments());
    assertThat(first.at("/usageMetadata/promptTokenCount").asLong())
        .isEqualTo(oFirst.usage().orElseThrow().promptTokens());

    JsonNode second = ok(gemini.generate(body(QUESTION + "," + Json.MAPPER.writeValueAsString(
        first.at("/candidates/0/content")) + "," + response("get_weather", "sunny"), "")));
    ChatCompletion oSecond = fx.client("a").chat().completions().create(openAi
        .addMessage(oFirst.choices().getFirst().message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(oCall.id()).content("sunny").build()).build());
    assertThat(GeminiCalls.text(second, 0)).isEqualTo(oSecond.choices().getFirst().message().content().orElseThrow());
    assertThat(second.at("/usageMetadata/promptTokenCount").asLong())
        .isEqualTo(oSecond.usage().orElseThrow().promptTokens());
  }

  @Test
  void aCallReplayedWithoutItsSignatureIsRefusedAsGemini3RefusesIt() throws Exception {
    HttpResponse<String> r = gemini.generate(body(QUESTION + "," + call("get_weather", null) + ","
        + response("get_weather", "sunny"), ""), "x-request-id", "gt-nosig");
    String message = GeminiCalls.error(r, 400, "INVALID_ARGUMENT").path("message").asString();
    assertThat(message).startsWith("Function call is missing a thought_signature in functionCall parts.")
        .contains("`default_api:get_weather` , position 2");
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("gt-nosig")).get(10, TimeUnit.SECONDS).outcome())
        .isEqualTo("error:400");
  }

  @Test
  void aSignatureTheSimulatorDidNotIssueForThatCallIsCorrupted() {
    String foreign = java.util.Base64.getEncoder().encodeToString("not ours".getBytes());
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION + "," + call("get_weather", foreign) + ","
        + response("get_weather", "sunny"), "")))).isEqualTo("Corrupted thought signature.");
    // a genuine signature, but for another function
    String timeSignature = ThoughtSignatures.issue("get_time", 1, 0);
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION + "," + call("get_weather", timeSignature) + ","
        + response("get_weather", "sunny"), "")))).isEqualTo("Corrupted thought signature.");
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION + "," + call("get_weather", "not*base64") + ","
        + response("get_weather", "sunny"), "")))).contains("TYPE_BYTES").contains("Base64 decoding failed");
  }

  @Test
  void onlyTheCurrentTurnNeedsSignatures() {
    // The unsigned call belongs to an earlier turn: the user has spoken since, so Gemini 3 does not check it.
    String history = QUESTION + "," + call("get_weather", null) + "," + response("get_weather", "sunny") + ","
        + "{\"role\":\"model\",\"parts\":[{\"text\":\"It is sunny.\"}]},"
        + "{\"role\":\"user\",\"parts\":[{\"text\":\"And the time?\"}]}";
    JsonNode r = ok(gemini.generate(body(history, "")));
    assertThat(r.at("/candidates/0/content/parts/0/functionCall/name").asString()).isEqualTo("get_weather");
  }

  @Test
  void callsAndResponsesMustPairUp() {
    String signed = call("get_weather", ThoughtSignatures.issue("get_weather", 7, 0));
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION + "," + response("get_weather", "?"), ""))))
        .isEqualTo("Please ensure that function response turn comes immediately after a function call turn.");
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION + "," + signed + ","
        + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{}}},"
        + "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{}}}]}", ""))))
        .startsWith("Please ensure that the number of function response parts is equal to the number of function "
            + "call parts");
    assertThat(GeminiCalls.message(gemini.generate(body(signed, ""))))
        .startsWith("Please ensure that function call turn comes immediately after a user turn");
    assertThat(GeminiCalls.message(gemini.generate(body(
        "{\"role\":\"user\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{}}}]}", ""))))
        .contains("function_call is only allowed in model turns");
  }

  @Test
  void functionCallingModes() {
    JsonNode none = ok(gemini.generate(body(QUESTION, ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"NONE\"}}")));
    assertThat(GeminiCalls.text(none, 0)).isNotBlank();
    JsonNode forced = ok(gemini.generate(body(QUESTION, ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_time\"]}}")));
    assertThat(forced.at("/candidates/0/content/parts/0/functionCall/name").asString()).isEqualTo("get_time");
    assertThat(forced.at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION, ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"AUTO\",\"allowedFunctionNames\":[\"get_time\"]}}")))).contains("allowed_function_names");
    assertThat(GeminiCalls.message(gemini.generate(body(QUESTION, ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_date\"]}}")))).contains("get_date");
    GeminiCalls.error(gemini.generate(body(QUESTION, ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"SOMETIMES\"}}")), 400, "INVALID_ARGUMENT");
  }

  @Test
  void openApiParametersAreGeminisSubsetOfJsonSchema() {
    String declared = "{\"contents\":[" + QUESTION + "],\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\","
        + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"},\"days\":{\"type\":"
        + "\"INTEGER\",\"minimum\":1,\"maximum\":3},\"tags\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"},"
        + "\"minItems\":1}},\"required\":[\"city\",\"days\",\"tags\"]}}]}]}";
    JsonNode args = ok(gemini.generate(declared)).at("/candidates/0/content/parts/0/functionCall/args");
    assertThat(args.path("city").isString()).isTrue();
    assertThat(args.path("days").asInt()).isBetween(1, 3);
    assertThat(args.path("tags").isArray()).isTrue();

    // JSON Schema keywords outside the subset are unknown fields there, as Gemini reports them
    assertThat(GeminiCalls.message(gemini.generate(declared.replace("\"required\"",
        "\"additionalProperties\":false,\"required\""))))
        .isEqualTo("Invalid JSON payload received. Unknown name \"additionalProperties\" at "
            + "'tools[0].function_declarations[0].parameters': Cannot find field.");
    assertThat(GeminiCalls.message(gemini.generate(declared.replace("\"parameters\"",
        "\"parametersJsonSchema\":{},\"parameters\"")))).contains("cannot both be set");
    assertThat(GeminiCalls.message(gemini.generate(declared.replace("\"name\":\"get_weather\"",
        "\"name\":\"get weather\"")))).contains("Invalid function name");
  }

  @Test
  void aStreamedCallArrivesWholeInOneChunk() {
    List<JsonNode> chunks = GeminiCalls.chunks(gemini.stream(body(QUESTION, "")).body());
    assertThat(chunks).hasSize(2);
    JsonNode part = chunks.getFirst().at("/candidates/0/content/parts/0");
    SimToolsTest.assertValidWeather(Json.MAPPER.writeValueAsString(part.at("/functionCall/args")));
    assertThat(part.path("thoughtSignature").asString()).startsWith(ThoughtSignatures.MARK);
    assertThat(chunks.getLast().at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
    assertThat(chunks.getLast().at("/usageMetadata/candidatesTokenCount").asInt())
        .isEqualTo(Tokens.count(Json.MAPPER.writeValueAsString(part.at("/functionCall/args"))));
  }

  @Test
  void aCallCutShortByMaxOutputTokensIsNoCall() {
    JsonNode c = ok(gemini.generate(body(QUESTION, ",\"generationConfig\":{\"maxOutputTokens\":3}")))
        .at("/candidates/0");
    assertThat(c.path("finishReason").asString()).isEqualTo("MAX_TOKENS");
    assertThat(c.path("content").has("parts")).isFalse();
  }
}
