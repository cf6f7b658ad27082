package dev.switchboard.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.testing.AwaitableLog;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A Bedrock Runtime upstream behind Switchboard: the simulator's Bedrock endpoint, an implementation of the protocol
 * written apart from the gateway's codec. OpenAI and Anthropic clients → gateway → Converse or ConverseStream, signed
 * with SigV4 → simulator; what the clients see is checked against the simulator's ledger.
 */
final class BedrockBackendE2ETest {
  static final String CLAUDE_ID = "anthropic.claude-sim-v1:0";
  static final String KEY = "front-key";

  @TempDir static Path dir;
  static Vertx vertx;
  static Simulator sim;
  static Gateway gateway;
  static final AwaitableLog<ExchangeRecord> exchanges = new AwaitableLog<>();
  static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("bedrock", "us-east-1", List.of("sim-large", CLAUDE_ID), 0, Duration.ZERO, 0, 12, 1),
        new SimDeploymentSpec("faulty", "us-east-1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 2))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: aws, type: bedrock, base_url: "%s", region: eu-west-3}
          - {name: aws-faulty, type: bedrock, base_url: "%s", region: eu-west-3}
        models:
          - {name: converse-chat, provider: aws, model: sim-large}
          - {name: claude, provider: aws, model: "%s"}
          - {name: converse-faulty, provider: aws-faulty, model: sim-large, retry: {attempts: 1}}
        """.formatted(sim.deployment("bedrock").bedrockBaseUrl(), sim.deployment("faulty").bedrockBaseUrl(),
        CLAUDE_ID));
    // Signing reads the credentials like the AWS SDKs do; the simulator checks that requests are signed.
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", KEY,
        "AWS_ACCESS_KEY_ID", "AKIDGATEWAY", "AWS_SECRET_ACCESS_KEY", "gateway-secret");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, exchanges::add);
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(KEY).maxRetries(0)
        .responseValidation(true).build();
  }

  @AfterEach
  void clearFaults() {
    sim.setFault("faulty", null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private static LedgerEntry served(String requestId) {
    return GatewayFixture.get(sim.ledger().await(e -> e.requestId().equals(requestId)));
  }

  @Test
  void aSignedConverseCallIsAnsweredInOpenAisShapeWithTheUsageTheUpstreamReported() {
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
        .create(ask("converse-chat", "count to 3").build());
    ChatCompletion c = raw.parse();
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3");
    assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    LedgerEntry e = served(raw.requestId().orElseThrow());
    assertThat(e.endpoint()).isEqualTo("converse");
    assertThat(e.stream()).isFalse();
    assertThat(e.model()).isEqualTo("sim-large");
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(e.promptTokens());
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(e.completionTokens());
  }

  @Test
  void aConverseStreamIsDecodedFromEventStreamFramesWithItsUsage() {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ask("converse-chat", "count to 4")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      s.stream().forEach(chunk -> {
        chunks.add(chunk);
        acc.accumulate(chunk);
      });
    }
    assertThat(acc.chatCompletion().choices().getFirst().message().content()).contains("1 2 3 4");
    LedgerEntry e = served(raw.requestId().orElseThrow());
    assertThat(e.stream()).isTrue();
    var usage = chunks.getLast().usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(e.promptTokens());
    assertThat(usage.completionTokens()).isEqualTo(e.completionTokens());
  }

  @Test
  void modelIdsWithAColonTravelPercentEncoded() {
    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port())
        .apiKey(KEY).maxRetries(0).build();
    try {
      Message m = anthropic.messages().create(MessageCreateParams.builder().model("claude").maxTokens(100L)
          .addUserMessage("echo: through Bedrock").putAdditionalHeader("x-request-id", "colon-1").build());
      assertThat(m.content().getFirst().asText().text()).isEqualTo("through Bedrock");
    } finally {
      anthropic.close();
    }
    assertThat(GatewayFixture.get(sim.ledger().await(e -> e.model().equals(CLAUDE_ID))).outcome())
        .isEqualTo("completed");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aToolRoundTripPassesBedrocksPairingRules() {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
        Map.class).forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name("get_weather").parameters(params.build()).build()).build();
    ChatCompletion first = client.chat().completions().create(ask("converse-chat", "Weather in Oslo?").addTool(tool)
        .build());
    ChatCompletion.Choice choice = first.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    JsonNode args = Json.MAPPER.readTree(call.function().arguments());
    assertThat(args.path("city").isString()).isTrue();

    ChatCompletion second = client.chat().completions().create(ask("converse-chat", "Weather in Oslo?").addTool(tool)
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("minus 3 and snow").build())
        .build());
    assertThat(second.choices().getFirst().message().content().orElseThrow())
        .isEqualTo("The tool returned: minus 3 and snow");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aStreamedToolCallArrivesAsArgumentFragments() {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}",
        Map.class).forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ask("converse-chat", "pick").addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
            .name("pick").parameters(params.build()).build()).build()).build())) {
      s.stream().forEach(acc::accumulate);
    }
    ChatCompletion.Choice choice = acc.chatCompletion().choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    var call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("pick");
    assertThat(Json.MAPPER.readTree(call.function().arguments()).path("n").isIntegralNumber()).isTrue();
  }

  @Test
  void stopSequencesMaxTokensAndSystemPromptsTravel() {
    ChatCompletion stopped = client.chat().completions().create(ask("claude", "count to 9").stop(" 4").build());
    assertThat(stopped.choices().getFirst().message().content()).contains("1 2 3");
    assertThat(stopped.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    ChatCompletion limited = client.chat().completions().create(ask("converse-chat", "count to 50")
        .addSystemMessage("Be terse.").maxCompletionTokens(4).build());
    assertThat(limited.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(limited.usage().orElseThrow().completionTokens()).isEqualTo(4);
  }

  @Test
  void anImageTravelsAsBedrockImageBytes() {
    // a 1x1 PNG
    String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(
        ChatCompletionCreateParams.builder().model("converse-chat").addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("echo: seen").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64," + png).build())
                .build()))).build());
    assertThat(raw.parse().choices().getFirst().message().content()).contains("seen");
    assertThat(served(raw.requestId().orElseThrow()).outcome()).isEqualTo("completed");
  }

  @Test
  @SuppressWarnings("unchecked")
  void parallelToolResultsBecomeOneUserTurnThatAnswersEveryCall() {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue("{\"type\":\"object\",\"properties\":{}}", Map.class)
        .forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name("get_time").parameters(params.build()).build()).build();
    ChatCompletionMessageToolCall a = ChatCompletionMessageToolCall.ofFunction(
        ChatCompletionMessageFunctionToolCall.builder().id("call_a").function(
            ChatCompletionMessageFunctionToolCall.Function.builder().name("get_time").arguments("{}").build()).build());
    ChatCompletionMessageToolCall b = ChatCompletionMessageToolCall.ofFunction(
        ChatCompletionMessageFunctionToolCall.builder().id("call_b").function(
            ChatCompletionMessageFunctionToolCall.Function.builder().name("get_time").arguments("{}").build()).build());
    ChatCompletion answer = client.chat().completions().create(ask("converse-chat", "Time in two places?")
        .addTool(tool)
        .addMessage(ChatCompletionAssistantMessageParam.builder().toolCalls(List.of(a, b)).build())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_a").content("noon").build())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_b").content("midnight").build())
        .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
        .build());
    // the simulator quotes every result of the last turn, in order: both arrived, in one user turn
    assertThat(answer.choices().getFirst().message().content().orElseThrow())
        .isEqualTo("The tool returned: noon; midnight");
  }

  @Test
  void aThrottlingExceptionReachesTheClientAsARateLimitNamingTheProvider() {
    sim.setFault("faulty", Fault.status(429).withCount(1));
    Throwable t = catchThrowable(() -> client.chat().completions().create(ask("converse-faulty", "hi").build()));
    assertThat(t).isInstanceOfSatisfying(RateLimitException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.getMessage()).contains("Provider 'aws-faulty' answered HTTP 429 ThrottlingException: Too many "
          + "requests").doesNotContain("{\"message\"");
      assertThat(e.code()).contains("ThrottlingException");
    });
    assertThat(served(requestId(t)).outcome()).isEqualTo("fault:status");
  }

  @Test
  void anUpstreamRejectingTheGatewaysCredentialsIsNotBlamedOnTheClientsKey() {
    sim.setFault("faulty", Fault.status(401).withCount(1));
    Throwable t = catchThrowable(() -> client.chat().completions().create(ask("converse-faulty", "hi").build()));
    assertThat(t).isInstanceOfSatisfying(InternalServerException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(502);
      assertThat(e.code()).contains("upstream_auth_failed");
      assertThat(e.getMessage()).contains("UnrecognizedClientException")
          .contains("check the AWS credentials of provider 'aws-faulty'");
    });
  }

  @Test
  void aModelStreamErrorMidStreamEndsInAnErrorTheSdkThrows() {
    sim.setFault("faulty", Fault.cut(3).withCount(1));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ask("converse-faulty", "count to 5").build());
    assertThat(raw.statusCode()).isEqualTo(200);
    String id = raw.requestId().orElseThrow();
    List<String> deltas = new ArrayList<>();
    Throwable thrown;
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      Iterator<ChatCompletionChunk> it = s.stream().iterator();
      thrown = catchThrowable(() -> it.forEachRemaining(c ->
          c.choices().forEach(ch -> ch.delta().content().ifPresent(deltas::add))));
    }
    assertThat(thrown).as("a broken stream must never look complete").isInstanceOf(SseException.class);
    assertThat(thrown.getMessage()).contains("simulated stream failure");
    assertThat(String.join("", deltas)).isEqualTo("1 2");
    LedgerEntry e = served(id);
    assertThat(e.outcome()).isEqualTo("cut");
    assertThat(e.completionTokens()).isEqualTo(3);
    assertThat(GatewayFixture.get(exchanges.await(r -> r.requestId().equals(id))).outcome()).isNotEqualTo("completed");
  }

  private static String requestId(Throwable t) {
    return ((OpenAIServiceException) t).headers().values("x-request-id").getFirst();
  }
}
