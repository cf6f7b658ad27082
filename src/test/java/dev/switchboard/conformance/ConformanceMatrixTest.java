package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.testing.GatewayFixture;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;

/**
 * The conformance matrix: every client SDK family (front door) against every backend protocol, for text,
 * streaming, tool calls and usage. Each cell runs the official SDK unchanged but for its endpoint, through
 * Switchboard to the simulator, which speaks every backend protocol itself.
 * The run writes its result table into docs/compatibility.md, and fails if any cell fails.
 */
final class ConformanceMatrixTest {
  private static final List<String> BACKENDS = List.of("OpenAI-compatible", "Anthropic", "Bedrock", "Gemini");
  private static final Map<String, String> MODEL = Map.of("OpenAI-compatible", "m-openai", "Anthropic", "m-anthropic",
      "Bedrock", "m-bedrock", "Gemini", "m-gemini");
  private static final List<String> FEATURES = List.of("text", "stream", "tools", "usage");

  @TempDir static Path dir;
  static final List<AutoCloseable> clients = new ArrayList<>();
  static GatewayFixture upstreams;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstreams = GatewayFixture.start(Files.createDirectories(dir.resolve("upstreams")));
    var fast = upstreams.sim().deployment(GatewayFixture.FAST);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: openai-sim, base_url: "%s", api_key: k}
          - {name: anthropic-sim, type: anthropic, base_url: "%s", api_key: k}
          - {name: bedrock-up, type: bedrock, base_url: "%s", region: us-west-2}
          - {name: gemini-sim, type: gemini, base_url: "%s", api_key: k}
        models:
          - {name: m-openai, provider: openai-sim, model: sim-large}
          - {name: m-anthropic, provider: anthropic-sim, model: sim-large}
          - {name: m-bedrock, provider: bedrock-up, model: sim-large}
          - {name: m-gemini, provider: gemini-sim, model: sim-large}
        """.formatted(fast.baseUrl(), fast.anthropicBaseUrl(), fast.bedrockBaseUrl(), fast.geminiBaseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "matrix-key",
        "AWS_ACCESS_KEY_ID", GatewayFixture.MASTER_KEY, "AWS_SECRET_ACCESS_KEY", GatewayFixture.MASTER_KEY);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : clients) c.close();
    if (gateway != null) gateway.close();
    if (upstreams != null) upstreams.close();
  }

  private interface Check {
    void run(String model) throws Exception;
  }

  @Test
  void everyFrontDoorWorksWithEveryBackend() throws Exception {
    Map<String, Map<String, Check>> doors = new LinkedHashMap<>();
    doors.put("OpenAI SDK", openAiChecks());
    doors.put("Anthropic SDK", anthropicChecks());
    doors.put("AWS SDK (Bedrock)", bedrockChecks());

    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    table.append("| client SDK | backend | ").append(String.join(" | ", FEATURES)).append(" |\n|---|---|");
    FEATURES.forEach(f -> table.append("---|"));
    table.append('\n');
    for (var door : doors.entrySet()) {
      for (String backend : BACKENDS) {
        table.append("| ").append(door.getKey()).append(" | ").append(backend).append(" |");
        for (String feature : FEATURES) {
          try {
            door.getValue().get(feature).run(MODEL.get(backend));
            table.append(" ✅ |");
          } catch (Throwable t) {
            table.append(" ❌ |");
            failures.add(door.getKey() + " × " + backend + " × " + feature + ": " + t);
          }
        }
        table.append('\n');
      }
    }
    writeIntoCompatibilityDoc(table.toString());
    assertThat(failures).isEmpty();
  }

  private static void writeIntoCompatibilityDoc(String table) throws Exception {
    Path doc = Path.of("docs/compatibility.md");
    if (!Files.exists(doc)) return; // not run from the project's root
    String text = Files.readString(doc);
    int begin = text.indexOf("<!-- matrix:begin -->");
    int end = text.indexOf("<!-- matrix:end -->");
    if (begin < 0 || end < begin) return;
    String block = "<!-- matrix:begin -->\n\nWritten by `ConformanceMatrixTest` on " + LocalDate.now() + ": each cell is "
        + "the official SDK, unchanged but for its endpoint, through Switchboard to the simulator.\n\n" + table + "\n";
    Files.writeString(doc, text.substring(0, begin) + block + text.substring(end));
  }

  // ---- OpenAI SDK ---------------------------------------------------------------------------

  private static Map<String, Check> openAiChecks() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("matrix-key")
        .maxRetries(0).build();
    clients.add(client::close);
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("text", model -> assertThat(client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(model).addUserMessage("count to 3").build()).choices().getFirst().message().content())
        .hasValueSatisfying(t -> assertThat(t).contains("1 2 3")));
    checks.put("stream", model -> {
      ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
      try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
          ChatCompletionCreateParams.builder().model(model).addUserMessage("count to 3").build())) {
        s.stream().forEach(acc::accumulate);
      }
      assertThat(acc.chatCompletion().choices().getFirst().message().content())
          .hasValueSatisfying(t -> assertThat(t).contains("1 2 3"));
    });
    checks.put("tools", model -> {
      FunctionParameters params = FunctionParameters.builder()
          .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
          .putAdditionalProperty("properties", com.openai.core.JsonValue.from(Map.of("city", Map.of("type", "string"))))
          .build();
      ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
          .addUserMessage("weather?").addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition
              .builder().name("get_weather").parameters(params).build()).build()).build());
      assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
      assertThat(c.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction().function().name())
          .isEqualTo("get_weather");
    });
    checks.put("usage", model -> assertThat(client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(model).addUserMessage("hello").build()).usage().orElseThrow().completionTokens()).isPositive());
    return checks;
  }

  // ---- Anthropic SDK ------------------------------------------------------------------------

  private static Map<String, Check> anthropicChecks() {
    AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port())
        .apiKey("matrix-key").maxRetries(0).build();
    clients.add(client::close);
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("text", model -> assertThat(text(client.messages().create(MessageCreateParams.builder().model(model)
        .maxTokens(100L).addUserMessage("count to 3").build()))).contains("1 2 3"));
    checks.put("stream", model -> {
      MessageAccumulator acc = MessageAccumulator.create();
      try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(
          MessageCreateParams.builder().model(model).maxTokens(100L).addUserMessage("count to 3").build())) {
        s.stream().forEach(acc::accumulate);
      }
      assertThat(text(acc.message())).contains("1 2 3");
    });
    checks.put("tools", model -> {
      Message m = client.messages().create(MessageCreateParams.builder().model(model).maxTokens(100L)
          .addUserMessage("weather?").addTool(Tool.builder().name("get_weather").inputSchema(Tool.InputSchema
              .builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string")))).build()).build())
          .build());
      assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
      assertThat(m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow().name())
          .isEqualTo("get_weather");
    });
    checks.put("usage", model -> assertThat(client.messages().create(MessageCreateParams.builder().model(model)
        .maxTokens(100L).addUserMessage("hello").build()).usage().outputTokens()).isPositive());
    return checks;
  }

  private static String text(Message m) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock block : m.content()) block.text().ifPresent(t -> b.append(t.text()));
    return b.toString();
  }

  // ---- AWS SDK (Bedrock Runtime) ------------------------------------------------------------

  private static Map<String, Check> bedrockChecks() {
    URI endpoint = URI.create("http://127.0.0.1:" + gateway.port());
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(
        AwsBasicCredentials.create("matrix-key", "matrix-key"));
    BedrockRuntimeClient client = BedrockRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(creds).httpClient(ApacheHttpClient.create()).build();
    BedrockRuntimeAsyncClient async = BedrockRuntimeAsyncClient.builder().endpointOverride(endpoint)
        .region(Region.US_EAST_1).credentialsProvider(creds).build();
    clients.add(client);
    clients.add(async);
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("text", model -> assertThat(client.converse(b -> b.modelId(model).messages(user("count to 3")))
        .output().message().content().getFirst().text()).contains("1 2 3"));
    checks.put("stream", model -> {
      StringBuilder text = new StringBuilder();
      async.converseStream(b -> b.modelId(model).messages(user("count to 3")), ConverseStreamResponseHandler.builder()
          .subscriber(ConverseStreamResponseHandler.Visitor.builder()
              .onContentBlockDelta(e -> {
                if (e.delta().text() != null) text.append(e.delta().text());
              }).build())
          .build()).get(30, TimeUnit.SECONDS);
      assertThat(text.toString()).contains("1 2 3");
    });
    checks.put("tools", model -> {
      Document schema = Document.mapBuilder().putString("type", "object").putDocument("properties",
          Document.mapBuilder().putDocument("city", Document.mapBuilder().putString("type", "string").build()).build())
          .build();
      ConverseResponse r = client.converse(b -> b.modelId(model).messages(user("weather?"))
          .toolConfig(ToolConfiguration.builder().tools(software.amazon.awssdk.services.bedrockruntime.model.Tool
              .fromToolSpec(ToolSpecification.builder().name("get_weather")
                  .inputSchema(ToolInputSchema.fromJson(schema)).build())).build()));
      assertThat(r.stopReasonAsString()).isEqualTo("tool_use");
      assertThat(r.output().message().content().stream().filter(c -> c.toolUse() != null).findFirst().orElseThrow()
          .toolUse().name()).isEqualTo("get_weather");
    });
    checks.put("usage", model -> assertThat(client.converse(b -> b.modelId(model).messages(user("hello")))
        .usage().outputTokens()).isPositive());
    return checks;
  }

  private static software.amazon.awssdk.services.bedrockruntime.model.Message user(String text) {
    return software.amazon.awssdk.services.bedrockruntime.model.Message.builder().role(ConversationRole.USER)
        .content(software.amazon.awssdk.services.bedrockruntime.model.ContentBlock.fromText(text)).build();
  }
}
