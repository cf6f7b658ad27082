package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tool calls and structured output through the official SDK, streamed and not. */
final class SimToolsTest {
  static final String WEATHER_SCHEMA = """
      {"type":"object","properties":{
        "location":{"type":"string"},
        "unit":{"type":"string","enum":["celsius","fahrenheit"]},
        "days":{"type":"integer","minimum":1,"maximum":7},
        "when":{"type":"string","format":"date"}},
       "required":["location","unit"],"additionalProperties":false}""";
  static final String PERSON_SCHEMA = """
      {"type":"object","properties":{
        "name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":120},
        "tags":{"type":"array","items":{"type":"string"},"minItems":2},
        "address":{"$ref":"#/$defs/address"}},
       "required":["name","age","tags","address"],"additionalProperties":false,
       "$defs":{"address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"}},
         "required":["city","zip"],"additionalProperties":false}}}""";

  static SimFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
    client = fx.client("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @SuppressWarnings("unchecked")
  static ChatCompletionFunctionTool tool(String name, String schema) {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue(schema, Map.class).forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    return ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name(name).parameters(params.build()).build()).build();
  }

  private static ChatCompletionCreateParams.Builder weatherRequest() {
    return ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("What's the weather in Paris?")
        .addTool(tool("get_weather", WEATHER_SCHEMA))
        .addTool(tool("get_time", "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}"));
  }

  /** The weather arguments are an object with exactly the schema's fields, each valid. */
  static void assertValidWeather(String arguments) {
    JsonNode args = Json.MAPPER.readTree(arguments);
    assertThat(args.isObject()).isTrue();
    assertThat(args.propertyNames()).contains("location", "unit").isSubsetOf("location", "unit", "days", "when");
    assertThat(args.get("location").isString()).isTrue();
    assertThat(args.get("unit").asString()).isIn("celsius", "fahrenheit");
    if (args.has("days")) assertThat(args.get("days").isIntegralNumber() && args.get("days").asInt() >= 1
        && args.get("days").asInt() <= 7).isTrue();
    if (args.has("when")) assertThat(args.get("when").asString()).matches("\\d{4}-\\d{2}-\\d{2}");
  }

  @Test
  void callsTheFirstToolThenAnswersFromItsResult() {
    ChatCompletion first = client.chat().completions().create(weatherRequest().build());
    ChatCompletion.Choice choice = first.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(choice.message().content()).isEmpty();
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.id()).startsWith("call_");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertValidWeather(call.function().arguments());
    assertThat(first.usage().orElseThrow().completionTokens()).isEqualTo(Tokens.count(call.function().arguments()));

    ChatCompletion second = client.chat().completions().create(weatherRequest()
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id())
            .content("{\"temperature\":21,\"sky\":\"clear\"}").build())
        .build());
    assertThat(second.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(second.choices().getFirst().message().content().orElseThrow())
        .contains("{\"temperature\":21,\"sky\":\"clear\"}");
    assertThat(second.choices().getFirst().message().toolCalls().orElse(List.of())).isEmpty();
    // The assistant's tool-call arguments and the tool result are part of the prompt.
    assertThat(second.usage().orElseThrow().promptTokens()).isGreaterThan(first.usage().orElseThrow().promptTokens()
        + Tokens.count(call.function().arguments()));
  }

  @Test
  void forcedToolFinishesWithStopAndNoneMeansText() {
    ChatCompletion forced = client.chat().completions().create(weatherRequest()
        .toolChoice(ChatCompletionNamedToolChoice.builder()
            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_time").build()).build())
        .build());
    assertThat(forced.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(forced.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction().function().name())
        .isEqualTo("get_time");

    ChatCompletion none = client.chat().completions().create(weatherRequest()
        .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).build());
    assertThat(none.choices().getFirst().message().toolCalls().orElse(List.of())).isEmpty();
    assertThat(none.choices().getFirst().message().content().orElseThrow()).isNotBlank();
  }

  @Test
  void streamedToolCallAccumulates() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(weatherRequest().build())) {
      s.stream().forEach(c -> {
        chunks.add(c);
        acc.accumulate(c);
      });
    }
    ChatCompletionChunk.Choice.Delta.ToolCall head = chunks.getFirst().choices().getFirst().delta().toolCalls()
        .orElseThrow().getFirst();
    assertThat(head.index()).isZero();
    assertThat(head.id()).hasValueSatisfying(id -> assertThat(id).startsWith("call_"));
    assertThat(head.function().orElseThrow().name()).contains("get_weather");
    assertThat(head.function().orElseThrow().arguments()).contains("");
    long fragments = chunks.stream().flatMap(c -> c.choices().stream())
        .filter(ch -> ch.delta().toolCalls().isPresent()).count() - 1;
    assertThat(fragments).isGreaterThan(3);

    ChatCompletion whole = acc.chatCompletion();
    assertThat(whole.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall call =
        whole.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.id()).isEqualTo(head.id().orElseThrow());
    assertValidWeather(call.function().arguments());
  }

  @Test
  void offeredToolsCountAsPromptTokens() {
    // keys already sorted: the simulator counts a schema as JSON with sorted keys, whatever order it came in
    String schema = "{\"properties\":{\"tz\":{\"type\":\"string\"}},\"type\":\"object\"}";
    String reordered = "{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}";
    for (String offered : new String[] {schema, reordered}) {
      ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("sim-large")
          .addUserMessage("What time is it?").addTool(tool("get_time", offered))
          .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).build());
      assertThat(c.usage().orElseThrow().promptTokens())
          .isEqualTo(Tokens.count("What time is it?") + 6 + Tokens.count("get_time") + Tokens.count(schema));
    }
  }

  @Test
  void jsonSchemaResponseFormat() {
    ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
    @SuppressWarnings("unchecked")
    Map<String, Object> map = Json.MAPPER.readValue(PERSON_SCHEMA, Map.class);
    map.forEach((k, v) -> schema.putAdditionalProperty(k, JsonValue.from(v)));
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("sim-small")
        .addUserMessage("Invent a person.")
        .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
            .name("person").strict(true).schema(schema.build()).build()).build())
        .build());
    JsonNode person = Json.MAPPER.readTree(c.choices().getFirst().message().content().orElseThrow());
    assertThat(person.propertyNames()).containsExactlyInAnyOrder("name", "age", "tags", "address");
    assertThat(person.get("name").isString()).isTrue();
    assertThat(person.get("age").asInt()).isBetween(0, 120);
    assertThat(person.get("tags").size()).isGreaterThanOrEqualTo(2);
    assertThat(person.get("address").propertyNames()).containsExactlyInAnyOrder("city", "zip");
  }

  @Test
  void jsonObjectResponseFormat() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("sim-small")
        .addUserMessage("Answer in JSON.").responseFormat(ResponseFormatJsonObject.builder().build()).build());
    JsonNode o = Json.MAPPER.readTree(c.choices().getFirst().message().content().orElseThrow());
    assertThat(o.isObject()).isTrue();
    assertThat(o.get("answer").isString()).isTrue();
  }
}
