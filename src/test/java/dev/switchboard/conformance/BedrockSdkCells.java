package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointBlock;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointType;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ImageBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ImageFormat;
import software.amazon.awssdk.services.bedrockruntime.model.ImageSource;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;

/**
 * The matrix's checks for the AWS SDK for Java v2 Bedrock Runtime clients: the sync client on Apache HTTP/1.1, and
 * the async client on its default Netty transport, which speaks HTTP/2 cleartext to an {@code http://} endpoint.
 * Retries are off, so a throttled call surfaces as the exception a user's code would see on its last attempt.
 */
final class BedrockSdkCells implements AutoCloseable {
  private final BedrockRuntimeClient client;
  private final BedrockRuntimeAsyncClient async;

  BedrockSdkCells(URI endpoint, String key) {
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(key, key));
    client = BedrockRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(creds).httpClient(ApacheHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    async = BedrockRuntimeAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(creds).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Override
  public void close() {
    client.close();
    async.close();
  }

  /** What a ConverseStream delivered, reassembled. */
  private record Streamed(String text, List<ToolUseBlock> calls, String stopReason, TokenUsage usage) {}

  Map<String, Check> checks() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("text", cell -> assertThat(text(converse(ask(cell.model(), "count to 3")))).contains("1 2 3"));
    checks.put("stream", cell -> assertThat(stream(askStream(cell.model(), "count to 3")).text()).contains("1 2 3"));
    checks.put("tools", cell -> {
      ConverseResponse r = converse(ask(cell.model(), "weather?").toolConfig(tools("get_weather")));
      assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
      assertThat(calls(r).getFirst().name()).isEqualTo("get_weather");
    });
    checks.put("tool result", cell -> {
      Message question = user(ContentBlock.fromText("weather?"));
      ConverseResponse first = converse(ConverseRequest.builder().modelId(cell.model()).messages(question)
          .toolConfig(tools("get_weather")));
      Message result = user(ContentBlock.fromToolResult(ToolResultBlock.builder()
          .toolUseId(calls(first).getFirst().toolUseId())
          .content(ToolResultContentBlock.fromText(Fixtures.TOOL_RESULT)).build()));
      ConverseResponse second = converse(ConverseRequest.builder().modelId(cell.model())
          .messages(question, first.output().message(), result).toolConfig(tools("get_weather")));
      assertThat(second.stopReason()).isEqualTo(StopReason.END_TURN);
      assertThat(text(second)).contains("The tool returned: " + Fixtures.TOOL_RESULT);
    });
    checks.put("parallel tools", cell -> {
      ConverseRequest.Builder ask = ask(cell.model(), "use every tool").toolConfig(tools("get_weather", "get_time"));
      assertThat(calls(converse(ask)).stream().map(ToolUseBlock::name)).containsExactly("get_weather", "get_time");
      Streamed streamed = stream(askStream(cell.model(), "use every tool")
          .toolConfig(tools("get_weather", "get_time")));
      assertThat(streamed.calls().stream().map(ToolUseBlock::name)).containsExactly("get_weather", "get_time");
      assertThat(streamed.calls().get(0).toolUseId()).isNotEqualTo(streamed.calls().get(1).toolUseId());
      assertThat(streamed.stopReason()).isEqualTo("tool_use");
    });
    checks.put("images", cell -> assertThat(text(converse(ConverseRequest.builder().modelId(cell.model())
        .messages(user(ContentBlock.fromText("how many images?"), ContentBlock.fromImage(ImageBlock.builder()
            .format(ImageFormat.PNG).source(ImageSource.fromBytes(SdkBytes.fromByteArray(Fixtures.PNG))).build()))))))
        .contains("I see 1 image(s): image/png"));
    checks.put("system", cell -> assertThat(text(converse(ask(cell.model(), "repeat the system prompt")
        .system(SystemContentBlock.fromText(Fixtures.SYSTEM))))).contains(Fixtures.SYSTEM));
    checks.put("stop reasons", cell -> {
      assertThat(converse(ask(cell.model(), "count to 50").inferenceConfig(i -> i.maxTokens(3))).stopReason())
          .isEqualTo(StopReason.MAX_TOKENS);
      assertThat(converse(ask(cell.model(), "count to 3")).stopReason()).isEqualTo(StopReason.END_TURN);
    });
    checks.put("usage", cell -> {
      TokenUsage usage = converse(ask(cell.model(), "hello")).usage();
      assertThat(usage.inputTokens()).isPositive();
      assertThat(usage.outputTokens()).isPositive();
      assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
    });
    checks.put("cache", cell -> {
      if (!cell.carriesCacheMarkers()) throw new NotApplicable(cell.backend() + " upstreams have no cache markers");
      List<SystemContentBlock> system = List.of(
          SystemContentBlock.fromText(Fixtures.uniqueCachedSystem("aws", cell)),
          SystemContentBlock.fromCachePoint(CachePointBlock.builder().type(CachePointType.DEFAULT).build()));
      TokenUsage written = converse(ask(cell.model(), "hello").system(system)).usage();
      TokenUsage read = stream(askStream(cell.model(), "hello").system(system)).usage();
      assertThat(written.cacheWriteInputTokens()).isPositive();
      assertThat(read.cacheReadInputTokens()).isEqualTo(written.cacheWriteInputTokens());
      assertThat(read.inputTokens()).isEqualTo(written.inputTokens());
    });
    checks.put("errors", cell -> {
      cell.throttleNext().run();
      assertThatThrownBy(() -> converse(ask(cell.faultyModel(), "hi"))).isInstanceOf(ThrottlingException.class);
      assertThatThrownBy(() -> converse(ask("no-such-model", "hi"))).isInstanceOf(ResourceNotFoundException.class);
    });
    return checks;
  }

  private static ConverseRequest.Builder ask(String model, String text) {
    return ConverseRequest.builder().modelId(model).messages(user(ContentBlock.fromText(text)));
  }

  private static ConverseStreamRequest.Builder askStream(String model, String text) {
    return ConverseStreamRequest.builder().modelId(model).messages(user(ContentBlock.fromText(text)));
  }

  private static Message user(ContentBlock... content) {
    return Message.builder().role(ConversationRole.USER).content(content).build();
  }

  private ConverseResponse converse(ConverseRequest.Builder request) {
    return client.converse(request.build());
  }

  private Streamed stream(ConverseStreamRequest.Builder request) throws Exception {
    StringBuilder text = new StringBuilder();
    Map<Integer, ToolUseBlock.Builder> calls = new LinkedHashMap<>();
    Map<Integer, StringBuilder> inputs = new LinkedHashMap<>();
    String[] stop = {null};
    TokenUsage[] usage = {null};
    CompletableFuture<Void> done = async.converseStream(request.build(), ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockStart(e -> {
              if (e.start().toolUse() != null) {
                calls.put(e.contentBlockIndex(), ToolUseBlock.builder().toolUseId(e.start().toolUse().toolUseId())
                    .name(e.start().toolUse().name()));
                inputs.put(e.contentBlockIndex(), new StringBuilder());
              }
            })
            .onContentBlockDelta(e -> {
              if (e.delta().text() != null) text.append(e.delta().text());
              if (e.delta().toolUse() != null) inputs.get(e.contentBlockIndex()).append(e.delta().toolUse().input());
            })
            .onMessageStop(e -> stop[0] = e.stopReasonAsString())
            .onMetadata(e -> usage[0] = e.usage())
            .build())
        .build());
    done.get(30, TimeUnit.SECONDS);
    List<ToolUseBlock> built = new ArrayList<>();
    calls.values().forEach(b -> built.add(b.build()));
    return new Streamed(text.toString(), built, stop[0], usage[0]);
  }

  private static String text(ConverseResponse r) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock c : r.output().message().content()) if (c.text() != null) b.append(c.text());
    return b.toString();
  }

  private static List<ToolUseBlock> calls(ConverseResponse r) {
    return r.output().message().content().stream().filter(c -> c.toolUse() != null).map(ContentBlock::toolUse)
        .toList();
  }

  private static ToolConfiguration tools(String... names) {
    Document schema = Document.mapBuilder().putString("type", "object")
        .putDocument("properties", Document.mapBuilder()
            .putDocument("city", Document.mapBuilder().putString("type", "string").build()).build())
        .putList("required", List.of(Document.fromString("city"))).build();
    List<Tool> tools = new ArrayList<>();
    for (String name : names) {
      tools.add(Tool.fromToolSpec(ToolSpecification.builder().name(name).inputSchema(ToolInputSchema.fromJson(schema))
          .build()));
    }
    return ToolConfiguration.builder().tools(tools).build();
  }
}
