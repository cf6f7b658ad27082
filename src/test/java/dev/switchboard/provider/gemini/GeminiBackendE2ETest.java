package dev.switchboard.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;

/**
 * A Gemini upstream (the simulator's Gemini API) behind Switchboard, reached by all three client SDK families.
 * The simulator answers as Gemini 3 does: every function call carries a thought signature that the next request
 * must replay, so the tool round trips here pass only if the signature survives the trip through each client's
 * tool-call id. Usage is checked against the simulator's ledger, token for token.
 */
final class GeminiBackendE2ETest {
  static final String KEY = "front-key";
  static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
      + "\"required\":[\"city\"]}";

  @TempDir static Path dir;
  static Vertx vertx;
  static Simulator sim;
  static Gateway gateway;
  static OpenAIClient openai;
  static AnthropicClient anthropic;
  static BedrockRuntimeClient bedrock;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("fast", "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 1),
        new SimDeploymentSpec("faulty", "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 2))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: google, type: gemini, base_url: "%s", api_key: sim-key}
          - {name: google-faulty, type: gemini, base_url: "%s", api_key: sim-key}
          - {name: google-keyless, type: gemini, base_url: "%1$s"}
        models:
          - {name: gem, provider: google, model: sim-large}
          - {name: gem-faulty, provider: google-faulty, model: sim-large, retry: {attempts: 1}}
          - {name: gem-keyless, provider: google-keyless, model: sim-large}
        """.formatted(sim.deployment("fast").geminiBaseUrl(), sim.deployment("faulty").geminiBaseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", KEY);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, ExchangeObserver.NONE);
    openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(KEY).maxRetries(0).build();
    anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port()).apiKey(KEY)
        .maxRetries(0).build();
    bedrock = BedrockRuntimeClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + gateway.port()))
        .region(Region.US_EAST_1).httpClient(ApacheHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY))).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (openai != null) openai.close();
    if (anthropic != null) anthropic.close();
    if (bedrock != null) bedrock.close();
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void clearFaults() {
    sim.setFault("faulty", null);
  }

  private static LedgerEntry served(String requestId) throws Exception {
    return sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  @SuppressWarnings("unchecked")
  private static ChatCompletionFunctionTool openAiTool() {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue(WEATHER, Map.class)
        .forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    return ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name("get_weather").parameters(params.build()).build()).build();
  }

  // ---- text, streams, usage ------------------------------------------------------------------

  @Test
  void anOpenAiClientGetsGeminisAnswerWithTheUsageTheLedgerRecords() throws Exception {
    HttpResponseFor<ChatCompletion> raw = openai.chat().completions().withRawResponse()
        .create(ask("gem", "count to 5").addSystemMessage("Be brief.").build());
    ChatCompletion c = raw.parse();
    c.validate();
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3 4 5");
    assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("google");
    LedgerEntry e = served(raw.requestId().orElseThrow());
    assertThat(e.endpoint()).isEqualTo("generateContent");
    assertThat(e.model()).isEqualTo("sim-large");
    assertThat(e.stream()).isFalse();
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(e.promptTokens());
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(e.completionTokens());
  }

  @Test
  void aStreamArrivesWithTheUsageTheLedgerRecords() throws Exception {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    String requestId;
    try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openai.chat().completions().withRawResponse()
        .createStreaming(ask("gem", "count to 6")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      requestId = raw.requestId().orElseThrow();
      try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
        s.stream().forEach(acc::accumulate);
      }
    }
    ChatCompletion c = acc.chatCompletion();
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3 4 5 6");
    LedgerEntry e = served(requestId);
    assertThat(e.stream()).isTrue();
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(e.promptTokens());
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(e.completionTokens());
  }

  @Test
  void anAnthropicClientThatAsksForThinkingIsBilledForIt() throws Exception {
    com.anthropic.core.http.HttpResponseFor<Message> raw = anthropic.messages().withRawResponse().create(
        MessageCreateParams.builder().model("gem").maxTokens(4096L).enabledThinking(1024L).addUserMessage("count to 3")
            .build());
    Message m = raw.parse();
    assertThat(m.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).toList())
        .containsExactly("1 2 3");
    LedgerEntry e = served(raw.requestId().orElseThrow());
    assertThat(m.usage().outputTokens()).isEqualTo(e.completionTokens()).isGreaterThan(3);
    assertThat(m.usage().inputTokens()).isEqualTo(e.promptTokens());
  }

  @Test
  void limitsStopsToolChoicesAndStructuredOutputReachGemini() {
    ChatCompletion cut = openai.chat().completions().create(ask("gem", "count to 20").maxCompletionTokens(3L).build());
    assertThat(cut.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(cut.choices().getFirst().message().content()).contains("1 2");
    ChatCompletion stopped = openai.chat().completions().create(ask("gem", "count to 20").stop(" 4").build());
    assertThat(stopped.choices().getFirst().message().content()).contains("1 2 3");

    ChatCompletion none = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE).build());
    assertThat(none.choices().getFirst().message().toolCalls()).isEmpty();
    ChatCompletion required = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
    assertThat(required.choices().getFirst().message().toolCalls()).isPresent();

    ChatCompletion json = openai.chat().completions().create(ask("gem", "A city?")
        .responseFormat(com.openai.models.ResponseFormatJsonSchema.builder().jsonSchema(
            com.openai.models.ResponseFormatJsonSchema.JsonSchema.builder().name("city").schema(
                com.openai.models.ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(Map.of("name", Map.of("type", "string"))))
                    .putAdditionalProperty("required", JsonValue.from(List.of("name"))).build()).build()).build())
        .build());
    assertThat(Json.MAPPER.readTree(json.choices().getFirst().message().content().orElseThrow()).path("name")
        .isString()).isTrue();
  }

  // ---- tool round trips: the thought signature rides in the tool-call id ----------------------

  @Test
  void anOpenAiClientsToolRoundTripReplaysTheSignature() throws Exception {
    ChatCompletion first = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .build());
    ChatCompletion.Choice choice = first.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(Json.MAPPER.readTree(call.function().arguments()).path("city").isString()).isTrue();

    ChatCompletion second = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("minus 3").build()).build());
    assertThat(second.choices().getFirst().message().content()).contains("The tool returned: minus 3");
  }

  @Test
  void aStreamedToolCallKeepsItsSignatureToo() {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(
        ask("gem", "Weather in Oslo?").addTool(openAiTool()).build())) {
      s.stream().forEach(acc::accumulate);
    }
    ChatCompletion.Choice choice = acc.chatCompletion().choices().getFirst();
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    ChatCompletion second = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("snow").build()).build());
    assertThat(second.choices().getFirst().message().content()).contains("The tool returned: snow");
  }

  @Test
  void anAnthropicClientsToolRoundTripReplaysTheSignature() throws Exception {
    MessageCreateParams.Builder ask = MessageCreateParams.builder().model("gem").maxTokens(200L)
        .addUserMessage("Weather in Oslo?")
        .addTool(Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder()
            .properties(com.anthropic.core.JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", com.anthropic.core.JsonValue.from(List.of("city"))).build()).build());
    Message first = anthropic.messages().create(ask.build());
    assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock call = first.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
    assertThat(call.id()).matches("[a-zA-Z0-9_-]+");

    Message second = anthropic.messages().create(ask.addMessage(first)
        .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
            .toolUseId(call.id()).content("minus 3").build()))).build());
    assertThat(second.stopReason()).contains(StopReason.END_TURN);
    assertThat(second.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).findFirst())
        .hasValueSatisfying(t -> assertThat(t).contains("The tool returned: minus 3"));
  }

  @Test
  void aBedrockClientsToolRoundTripReplaysTheSignature() {
    Document schema = Document.mapBuilder().putString("type", "object").putDocument("properties",
        Document.mapBuilder().putDocument("city", Document.mapBuilder().putString("type", "string").build()).build())
        .build();
    ToolConfiguration tools = ToolConfiguration.builder().tools(software.amazon.awssdk.services.bedrockruntime.model
        .Tool.fromToolSpec(ToolSpecification.builder().name("get_weather").inputSchema(ToolInputSchema.fromJson(schema))
            .build())).build();
    software.amazon.awssdk.services.bedrockruntime.model.Message question = software.amazon.awssdk.services
        .bedrockruntime.model.Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(
            "Weather in Oslo?")).build();
    ConverseResponse first = bedrock.converse(b -> b.modelId("gem").messages(question).toolConfig(tools));
    assertThat(first.stopReasonAsString()).isEqualTo("tool_use");
    software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock use = first.output().message().content().stream()
        .filter(c -> c.toolUse() != null).findFirst().orElseThrow().toolUse();
    assertThat(use.name()).isEqualTo("get_weather");

    software.amazon.awssdk.services.bedrockruntime.model.Message result = software.amazon.awssdk.services
        .bedrockruntime.model.Message.builder().role(ConversationRole.USER).content(ContentBlock.fromToolResult(
            ToolResultBlock.builder().toolUseId(use.toolUseId()).content(ToolResultContentBlock.fromText("minus 3"))
                .build())).build();
    ConverseResponse second = bedrock.converse(b -> b.modelId("gem").messages(question, first.output().message(),
        result).toolConfig(tools));
    assertThat(second.stopReasonAsString()).isEqualTo("end_turn");
    assertThat(second.output().message().content().getFirst().text()).contains("The tool returned: minus 3");
  }

  @Test
  void aCallSentBackWithoutItsSignatureIsGeminisBadRequest() {
    ChatCompletion first = openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .build());
    ChatCompletionMessageFunctionToolCall call = first.choices().getFirst().message().toolCalls().orElseThrow()
        .getFirst().asFunction();
    // A client that rewrites tool-call ids (here: to its own) drops the signature the id carried.
    ChatCompletionAssistantMessageParam rewritten = ChatCompletionAssistantMessageParam.builder()
        .addToolCall(ChatCompletionMessageToolCall.ofFunction(call.toBuilder().id("call_mine").build())).build();
    assertThatThrownBy(() -> openai.chat().completions().create(ask("gem", "Weather in Oslo?").addTool(openAiTool())
        .addMessage(rewritten)
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_mine").content("minus 3").build())
        .build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage()).contains("google")
            .contains("thought_signature"));
  }

  // ---- upstream failures ----------------------------------------------------------------------

  @Test
  void aRateLimitReachesTheClientWithGeminisRetryDelay() {
    sim.setFault("faulty", Fault.status429(7).withCount(1));
    assertThatThrownBy(() -> openai.chat().completions().create(ask("gem-faulty", "hi").build()))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.getMessage()).contains("google-faulty");
          assertThat(e.headers().values("retry-after")).containsExactly("7");
        });
  }

  @Test
  void aProviderWithoutAKeyIsTheGatewaysProblemNotTheClients() {
    // Gemini answers a request without a key with 403 PERMISSION_DENIED; passed on, the client would blame its own.
    assertThatThrownBy(() -> openai.chat().completions().create(ask("gem-keyless", "hi").build()))
        .isInstanceOfSatisfying(com.openai.errors.InternalServerException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(502);
          assertThat(e.getMessage()).contains("google-keyless").contains("api_key");
        });
  }

  @Test
  void anOverloadedUpstreamIsUnavailable() {
    sim.setFault("faulty", Fault.status(503).withCount(1));
    assertThatThrownBy(() -> openai.chat().completions().create(ask("gem-faulty", "hi").build()))
        .isInstanceOfSatisfying(com.openai.errors.InternalServerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void aStreamThatJustEndsMidWayIsAnErrorNotACleanEnd() throws Exception {
    sim.setFault("faulty", Fault.cut(3).withCount(1));
    StringBuilder text = new StringBuilder();
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(
          ask("gem-faulty", "count to 9").build())) {
        s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
      }
    }).isInstanceOfSatisfying(SseException.class, e -> assertThat(e.getMessage()).contains("finishReason"));
    assertThat(text.toString()).isEqualTo("1 2");
    assertThat(sim.ledger().await(e -> e.deployment().equals("faulty") && e.outcome().equals("cut"))
        .get(10, TimeUnit.SECONDS).completionTokens()).isEqualTo(3);
  }
}
