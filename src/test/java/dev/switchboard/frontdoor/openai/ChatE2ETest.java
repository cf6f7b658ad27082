package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Non-streamed chat completions from the official OpenAI SDK, through the gateway, answered by the simulator. */
final class ChatE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  /** A function tool whose arguments the simulator samples from this schema. */
  static final ChatCompletionFunctionTool WEATHER = ChatCompletionFunctionTool.builder()
      .function(FunctionDefinition.builder()
          .name("get_weather")
          .description("Current weather for a city")
          .parameters(FunctionParameters.builder()
              .putAdditionalProperty("type", JsonValue.from("object"))
              .putAdditionalProperty("properties", JsonValue.from(Map.of(
                  "city", Map.of("type", "string"),
                  "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
              .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit")))
              .putAdditionalProperty("additionalProperties", JsonValue.from(false))
              .build())
          .build())
      .build();

  @Test
  void plainCompletionIsExactAndItsUsageIsWhatTheUpstreamServed() {
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
        .create(ask("chat", "Please count to 5.").build());
    String requestId = raw.requestId().orElseThrow();
    assertThat(requestId).startsWith("req_");
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("sim");
    assertThat(raw.headers().values("x-switchboard-upstream-model")).containsExactly("sim-large");

    ChatCompletion c = raw.parse();
    assertThat(c.choices()).hasSize(1);
    assertThat(c.choices().get(0).message().content()).contains("1 2 3 4 5");
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

    // The gateway sends its request id upstream, so the simulator's ledger knows this exact request.
    LedgerEntry served = fx.ledgerEntry(requestId);
    assertThat(served.deployment()).isEqualTo(GatewayFixture.FAST);
    assertThat(served.outcome()).isEqualTo("completed");
    CompletionUsage usage = c.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(served.promptTokens());
    assertThat(usage.completionTokens()).isEqualTo(served.completionTokens()).isPositive();
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

    ExchangeRecord record = fx.exchange(requestId);
    assertThat(record.outcome()).isEqualTo("completed");
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.model()).isEqualTo("chat");
    assertThat(record.provider()).isEqualTo("sim");
    assertThat(record.upstreamModel()).isEqualTo("sim-large");
    // What was paid for is recorded: the gateway reads the usage of a plain answer too, not only of streams.
    assertThat(record.usage()).as("metered usage").isNotNull();
    assertThat(record.usage().inputTokens()).isEqualTo(served.promptTokens());
    assertThat(record.usage().outputTokens()).isEqualTo(served.completionTokens());
  }

  @Test
  void eachLogicalNameReachesItsUpstreamModel() {
    Map<String, String> routes = Map.of("chat", "sim-large", "sim-small", "sim-small", "team:chat-v1", "sim-small",
        "acme/chat", "sim-large");
    routes.forEach((logical, upstream) -> {
      HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
          .create(ask(logical, "echo: routed to " + logical).build());
      assertThat(raw.parse().choices().get(0).message().content()).contains("routed to " + logical);
      assertThat(raw.headers().values("x-switchboard-upstream-model")).as(logical).containsExactly(upstream);
      assertThat(fx.ledgerEntry(raw.requestId().orElseThrow()).model()).as(logical).isEqualTo(upstream);
    });
  }

  @Test
  void acceptsAChunkedRequestBody() {
    byte[] body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.net.http.HttpResponse<String> r = fx.send(java.net.http.HttpRequest.newBuilder(fx.uri("/chat/completions"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
        .header("content-type", "application/json").header("authorization", "Bearer " + GatewayFixture.MASTER_KEY)
        .build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(r.body()).at("/choices/0/message/content").asString()).isEqualTo("1 2 3");
  }

  @Test
  void returnsNChoices() {
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
        .create(ask("chat", "write a poem").n(2).build());
    ChatCompletion c = raw.parse();
    assertThat(c.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
    assertThat(c.choices().get(0).message().content().orElseThrow())
        .isNotBlank()
        .isNotEqualTo(c.choices().get(1).message().content().orElseThrow());
    assertThat(c.usage().orElseThrow().completionTokens())
        .isEqualTo(fx.ledgerEntry(raw.requestId().orElseThrow()).completionTokens());
  }

  @Test
  void toolCallRoundTrip() {
    ChatCompletionCreateParams first = ask("chat", "What is the weather in Paris?").addTool(WEATHER).build();
    ChatCompletion call = client.chat().completions().create(first);
    ChatCompletion.Choice choice = call.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(choice.message().toolCalls().orElseThrow()).hasSize(1);
    ChatCompletionMessageFunctionToolCall tc = choice.message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(tc.id()).isNotBlank();
    assertThat(tc.function().name()).isEqualTo("get_weather");
    assertWeatherArguments(tc.function().arguments());

    ChatCompletion answer = client.chat().completions().create(first.toBuilder()
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(tc.id()).content("18 C and sunny").build())
        .build());
    assertThat(answer.choices().get(0).message().content()).contains("The tool returned: 18 C and sunny");
    assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  /** The arguments are a JSON string that satisfies the tool's schema. */
  static void assertWeatherArguments(String arguments) {
    JsonNode args = Json.MAPPER.readTree(arguments);
    assertThat(args.isObject()).isTrue();
    assertThat(args.propertyNames()).containsExactlyInAnyOrder("city", "unit");
    assertThat(args.path("city").isString()).isTrue();
    assertThat(args.path("unit").asString()).isIn("celsius", "fahrenheit");
  }

  @Test
  void jsonSchemaResponseFormatPassesThrough() {
    ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder()
        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
            .name("city_facts")
            .strict(true)
            .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                    "name", Map.of("type", "string"),
                    "population", Map.of("type", "integer"),
                    "districts", Map.of("type", "array", "items", Map.of("type", "string")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("name", "population", "districts")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                .build())
            .build())
        .build();
    ChatCompletion c = client.chat().completions().create(ask("chat", "Facts about Paris").responseFormat(format)
        .build());
    JsonNode json = Json.MAPPER.readTree(c.choices().get(0).message().content().orElseThrow());
    assertThat(json.propertyNames()).containsExactlyInAnyOrder("name", "population", "districts");
    assertThat(json.path("name").isString()).isTrue();
    assertThat(json.path("population").isIntegralNumber()).isTrue();
    assertThat(json.path("districts").isArray()).isTrue();
    json.path("districts").forEach(d -> assertThat(d.isString()).isTrue());
  }
}
