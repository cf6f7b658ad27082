package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.ObjectMappers;
import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointBlock;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointType;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ImageBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ImageFormat;
import software.amazon.awssdk.services.bedrockruntime.model.ImageSource;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;

/**
 * The system prompt, image, parallel tool call and prompt cache rules through Bedrock, with the AWS SDK: Converse
 * (system blocks, image blocks, several toolUse blocks, cachePoint markers) and InvokeModel's Anthropic body.
 */
final class SimBedrockFeaturesTest {
  private static final String CLAUDE = "anthropic.claude-sim-v1:0";
  private static final ContentBlock CACHE_POINT =
      ContentBlock.fromCachePoint(CachePointBlock.builder().type(CachePointType.DEFAULT).build());

  static SimFixture fx;
  static BedrockRuntimeClient client;
  static BedrockRuntimeAsyncClient async;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(new SimDeploymentSpec("b", "r1", List.of("sim-large", CLAUDE), 0,
        java.time.Duration.ZERO, 0, 12, 1));
    client = fx.bedrock("b");
    async = fx.bedrockAsync("b");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  private static Message user(ContentBlock... blocks) {
    return Message.builder().role(ConversationRole.USER).content(blocks).build();
  }

  private static ToolConfiguration weatherAndTime() {
    return ToolConfiguration.builder().tools(SimBedrockToolsTest.tool("get_weather", SimBedrockToolsTest.WEATHER),
        SimBedrockToolsTest.tool("get_time", SimBedrockToolsTest.EMPTY)).build();
  }

  @Test
  void repeatsTheSystemTextBlocks() {
    ConverseResponse r = client.converse(b -> b.modelId("sim-large")
        .system(SystemContentBlock.fromText("You are terse."), SystemContentBlock.fromText("Answer in French."))
        .messages(SimBedrockConverseTest.user("Repeat the system prompt.")));
    assertThat(r.output().message().content().getFirst().text()).isEqualTo("You are terse.\nAnswer in French.");
    ConverseResponse none = client.converse(b -> b.modelId("sim-large")
        .messages(SimBedrockConverseTest.user("repeat the system prompt")));
    assertThat(none.output().message().content().getFirst().text()).isEqualTo("(no system prompt)");
  }

  @Test
  void countsImageBlocksByTheirFormat() {
    ContentBlock png = ContentBlock.fromImage(ImageBlock.builder().format(ImageFormat.PNG)
        .source(ImageSource.fromBytes(SdkBytes.fromUtf8String("png bytes"))).build());
    ContentBlock webp = ContentBlock.fromImage(ImageBlock.builder().format(ImageFormat.WEBP)
        .source(ImageSource.fromBytes(SdkBytes.fromUtf8String("webp bytes"))).build());
    ConverseResponse r = client.converse(b -> b.modelId("sim-large")
        .messages(user(png, ContentBlock.fromText("How many images?"), webp)));
    assertThat(r.output().message().content().getFirst().text()).isEqualTo("I see 2 image(s): image/png, image/webp");
  }

  @Test
  void callsEveryToolAsToolUseBlocksThenQuotesEveryResult() {
    Message ask = SimBedrockConverseTest.user("Use every tool for Paris.");
    ConverseResponse r = client.converse(b -> b.modelId("sim-large").messages(ask).toolConfig(weatherAndTime()));
    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
    List<ToolUseBlock> calls = r.output().message().content().stream().map(ContentBlock::toolUse).toList();
    assertThat(calls).extracting(ToolUseBlock::name).containsExactly("get_weather", "get_time");
    assertThat(calls.get(0).toolUseId()).startsWith("tooluse_").isNotEqualTo(calls.get(1).toolUseId());
    assertThat(calls.get(0).input().asMap()).containsKeys("city", "unit");

    Message results = user(
        ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(calls.get(0).toolUseId())
            .content(ToolResultContentBlock.fromText("sunny")).build()),
        ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(calls.get(1).toolUseId())
            .content(ToolResultContentBlock.fromText("14:00")).build()));
    ConverseResponse answer = client.converse(b -> b.modelId("sim-large")
        .messages(ask, r.output().message(), results).toolConfig(weatherAndTime()));
    assertThat(answer.output().message().content().getFirst().text()).isEqualTo("The tool returned: sunny; 14:00");
  }

  @Test
  void streamsEachCallAsItsOwnContentBlock() throws Exception {
    SimBedrockStreamingTest.Streamed s = SimBedrockStreamingTest.stream(async, ConverseStreamRequest.builder()
        .modelId("sim-large").messages(SimBedrockConverseTest.user("Use every tool for Paris."))
        .toolConfig(weatherAndTime()).build());
    List<String> shape = new ArrayList<>();
    List<StringBuilder> inputs = List.of(new StringBuilder(), new StringBuilder());
    for (ConverseStreamOutput e : s.events()) {
      switch (e) {
        case ContentBlockStartEvent start -> shape.add("start " + start.contentBlockIndex() + " "
            + start.start().toolUse().name());
        case ContentBlockDeltaEvent delta -> {
          inputs.get(delta.contentBlockIndex()).append(delta.delta().toolUse().input());
          String step = "delta " + delta.contentBlockIndex();
          if (!shape.getLast().equals(step)) shape.add(step); // one entry per run of deltas
        }
        case ContentBlockStopEvent stop -> shape.add("stop " + stop.contentBlockIndex());
        default -> shape.add(e.sdkEventType().toString());
      }
    }
    assertThat(shape).containsExactly("messageStart", "start 0 get_weather", "delta 0", "stop 0",
        "start 1 get_time", "delta 1", "stop 1", "messageStop", "metadata");
    assertThat(Json.MAPPER.readTree(inputs.get(0).toString()).propertyNames()).contains("city", "unit");
    assertThat(s.metadata().usage().outputTokens())
        .isEqualTo(Tokens.count(inputs.get(0).toString()) + Tokens.count(inputs.get(1).toString()));
  }

  @Test
  void aCachePointWritesThePrefixOnceThenItIsRead() throws Exception {
    String system = ("You are the Bedrock cache assistant. Answer carefully and keep it short. ").repeat(20);
    // the prefix is the framing (3) and the system message (3 + its text), everything before the cache point
    int prefix = Tokens.count(system) + 6;
    int rest = Tokens.count("count to 3") + 3;
    for (int i = 0; i < 2; i++) {
      ConverseResponse r = client.converse(b -> b.modelId("sim-large")
          .system(SystemContentBlock.fromText(system),
              SystemContentBlock.fromCachePoint(CachePointBlock.builder().type(CachePointType.DEFAULT).build()))
          .messages(SimBedrockConverseTest.user("count to 3")));
      TokenUsage u = r.usage();
      int read = i == 0 ? 0 : prefix;
      int written = i == 0 ? prefix : 0;
      assertThat(u.inputTokens()).isEqualTo(rest);
      assertThat(u.cacheReadInputTokens()).isEqualTo(read);
      assertThat(u.cacheWriteInputTokens()).isEqualTo(written);
      assertThat(u.totalTokens()).isEqualTo(rest + prefix + u.outputTokens());
      LedgerEntry e = ledger(r.responseMetadata().requestId());
      assertThat(List.of(e.promptTokens(), e.cacheReadTokens(), e.cacheWriteTokens()))
          .containsExactly(rest, read, written);
    }

    // a cache point in a message: everything before it, here the first text block
    String doc = ("A long document about caches, read twice. ").repeat(20);
    int messagePrefix = 3 + 3 + Tokens.count(doc);
    int total = 3 + 3 + Tokens.count(doc + "\ncount to 2");
    for (int i = 0; i < 2; i++) {
      ConverseResponse r = client.converse(b -> b.modelId("sim-large")
          .messages(user(ContentBlock.fromText(doc), CACHE_POINT, ContentBlock.fromText("count to 2"))));
      assertThat(r.usage().inputTokens()).isEqualTo(total - messagePrefix);
      assertThat(r.usage().cacheWriteInputTokens()).isEqualTo(i == 0 ? messagePrefix : 0);
      assertThat(r.usage().cacheReadInputTokens()).isEqualTo(i == 0 ? 0 : messagePrefix);
    }

    // a cache point among the tools: the tool definitions before it
    ToolConfiguration cachedTools = ToolConfiguration.builder().tools(
        SimBedrockToolsTest.tool("get_cached_weather", SimBedrockToolsTest.WEATHER),
        Tool.fromCachePoint(CachePointBlock.builder().type(CachePointType.DEFAULT).build())).build();
    ConverseResponse first = client.converse(b -> b.modelId("sim-large")
        .messages(SimBedrockConverseTest.user("hi")).toolConfig(cachedTools));
    ConverseResponse second = client.converse(b -> b.modelId("sim-large")
        .messages(SimBedrockConverseTest.user("hi")).toolConfig(cachedTools));
    assertThat(first.usage().inputTokens()).isEqualTo(Tokens.count("hi") + 3);
    assertThat(first.usage().cacheWriteInputTokens()).isPositive()
        .isEqualTo(second.usage().cacheReadInputTokens());
    assertThat(second.usage().cacheWriteInputTokens()).isZero();
  }

  @Test
  void invokeModelCachesAndCallsInParallelLikeAnthropic() throws Exception {
    String system = ("You are the invoke cache assistant. Answer carefully and keep it short. ").repeat(20);
    String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}";
    int prefix = Tokens.count(system) + 6;
    int rest = Tokens.count("count to 3") + 3;
    for (int i = 0; i < 2; i++) {
      InvokeModelResponse r = client.invokeModel(b -> b.modelId(CLAUDE).contentType("application/json")
          .accept("application/json").body(SdkBytes.fromUtf8String(body)));
      com.anthropic.models.messages.Message m =
          ObjectMappers.jsonMapper().readValue(r.body().asUtf8String(), com.anthropic.models.messages.Message.class);
      long read = i == 0 ? 0 : prefix;
      long written = i == 0 ? prefix : 0;
      assertThat(m.usage().inputTokens()).isEqualTo(rest);
      assertThat(m.usage().cacheReadInputTokens()).contains(read);
      assertThat(m.usage().cacheCreationInputTokens()).contains(written);
      var headers = r.sdkHttpResponse();
      assertThat(headers.firstMatchingHeader("x-amzn-bedrock-input-token-count")).contains(Integer.toString(rest));
      assertThat(headers.firstMatchingHeader("x-amzn-bedrock-cache-read-input-token-count"))
          .contains(Long.toString(read));
      assertThat(headers.firstMatchingHeader("x-amzn-bedrock-cache-write-input-token-count"))
          .contains(Long.toString(written));
      LedgerEntry e = ledger(r.responseMetadata().requestId());
      assertThat(List.of((long) e.promptTokens(), (long) e.cacheReadTokens(), (long) e.cacheWriteTokens()))
          .containsExactly((long) rest, read, written);
    }

    String tools = "[{\"name\":\"get_weather\",\"input_schema\":" + SimToolsTest.WEATHER_SCHEMA + "},"
        + "{\"name\":\"get_time\",\"input_schema\":{\"type\":\"object\"}}]";
    String every = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":500,\"tools\":" + tools + ","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Use every tool for Paris.\"}]}";
    InvokeModelResponse parallel = client.invokeModel(b -> b.modelId(CLAUDE).body(SdkBytes.fromUtf8String(every)));
    var content = Json.MAPPER.readTree(parallel.body().asUtf8String()).get("content");
    assertThat(content.size()).isEqualTo(2);
    assertThat(content.get(1).get("name").asString()).isEqualTo("get_time");
    String one = every.replace("\"tools\":", "\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true},"
        + "\"tools\":");
    InvokeModelResponse single = client.invokeModel(b -> b.modelId(CLAUDE).body(SdkBytes.fromUtf8String(one)));
    assertThat(Json.MAPPER.readTree(single.body().asUtf8String()).get("content").size()).isEqualTo(1);
  }
}
