package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.util.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import tools.jackson.databind.JsonNode;

/** Converse tool use with the AWS SDK: a full round trip, forced tools, the streamed call, and Bedrock's pairing rules. */
final class SimBedrockToolsTest {
  static SimFixture fx;
  static BedrockRuntimeClient client;
  static BedrockRuntimeAsyncClient async;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("b", "r1", 1));
    client = fx.bedrock("b");
    async = fx.bedrockAsync("b");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Tool tool(String name, Document schema) {
    return Tool.fromToolSpec(ToolSpecification.builder().name(name).description("a tool")
        .inputSchema(ToolInputSchema.fromJson(schema)).build());
  }

  static final Document WEATHER = Document.mapBuilder().putString("type", "object")
      .putDocument("properties", Document.mapBuilder()
          .putDocument("city", Document.mapBuilder().putString("type", "string").build())
          .putDocument("unit", Document.mapBuilder().putList("enum",
              List.of(Document.fromString("celsius"), Document.fromString("fahrenheit"))).build())
          .build())
      .putList("required", List.of(Document.fromString("city"), Document.fromString("unit")))
      .build();
  static final Document EMPTY = Document.mapBuilder().putString("type", "object").build();

  private static ToolConfiguration tools(ToolChoice choice) {
    return ToolConfiguration.builder().tools(tool("get_time", EMPTY), tool("get_weather", WEATHER))
        .toolChoice(choice).build();
  }

  @Test
  void aToolRoundTripCallsTheToolThenAnswersWithItsResult() throws Exception {
    Message question = SimBedrockConverseTest.user("What is the weather in Paris?");
    ConverseResponse call = client.converse(b -> b.modelId("sim-large").messages(question)
        .toolConfig(tools(ToolChoice.fromTool(t -> t.name("get_weather")))));
    assertThat(call.stopReason()).isEqualTo(StopReason.TOOL_USE);
    ToolUseBlock use = call.output().message().content().getFirst().toolUse();
    assertThat(use.name()).isEqualTo("get_weather");
    assertThat(use.toolUseId()).matches("tooluse_[a-zA-Z0-9]+");
    Map<String, Document> input = use.input().asMap();
    assertThat(input).containsOnlyKeys("city", "unit");
    assertThat(input.get("unit").asString()).isIn("celsius", "fahrenheit");
    LedgerEntry called = fx.sim.ledger().await(x -> x.requestId().equals(call.responseMetadata().requestId()))
        .get(10, TimeUnit.SECONDS);
    assertThat(called.completionTokens()).isEqualTo(call.usage().outputTokens()).isPositive();

    Message result = Message.builder().role(ConversationRole.USER).content(ContentBlock.fromToolResult(
        ToolResultBlock.builder().toolUseId(use.toolUseId()).content(ToolResultContentBlock.fromText("18 degrees"))
            .build())).build();
    ConverseResponse answer = client.converse(b -> b.modelId("sim-large")
        .messages(question, call.output().message(), result).toolConfig(tools(null)));
    assertThat(answer.stopReason()).isEqualTo(StopReason.END_TURN);
    assertThat(answer.output().message().content().getFirst().text()).isEqualTo("The tool returned: 18 degrees");
    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals(answer.responseMetadata().requestId()))
        .get(10, TimeUnit.SECONDS);
    assertThat(e.promptTokens()).isEqualTo(answer.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(answer.usage().outputTokens());
  }

  @Test
  void autoCallsTheFirstToolAndAnyCallsOneToo() {
    ConverseResponse auto = client.converse(b -> b.modelId("sim-large")
        .messages(SimBedrockConverseTest.user("hi")).toolConfig(tools(null)));
    assertThat(auto.output().message().content().getFirst().toolUse().name()).isEqualTo("get_time");
    ConverseResponse any = client.converse(b -> b.modelId("sim-large")
        .messages(SimBedrockConverseTest.user("hi")).toolConfig(tools(ToolChoice.fromAny(a -> { }))));
    assertThat(any.stopReason()).isEqualTo(StopReason.TOOL_USE);
  }

  @Test
  void aStreamedToolCallStartsItsBlockAndStreamsTheInputAsText() throws Exception {
    SimBedrockStreamingTest.Streamed s = SimBedrockStreamingTest.stream(async, ConverseStreamRequest.builder()
        .modelId("sim-large").messages(SimBedrockConverseTest.user("weather?"))
        .toolConfig(tools(ToolChoice.fromTool(t -> t.name("get_weather")))).build());
    assertThat(s.types().subList(0, 2)).containsExactly("messageStart", "contentBlockStart");
    ContentBlockStartEvent start = (ContentBlockStartEvent) s.events().get(1);
    assertThat(start.contentBlockIndex()).isZero();
    assertThat(start.start().toolUse().name()).isEqualTo("get_weather");
    assertThat(start.start().toolUse().toolUseId()).startsWith("tooluse_");
    JsonNode input = Json.MAPPER.readTree(s.text());
    assertThat(input.propertyNames()).containsExactlyInAnyOrder("city", "unit");
    MessageStopEvent stop = (MessageStopEvent) s.events().get(s.events().size() - 2);
    assertThat(stop.stopReason()).isEqualTo(StopReason.TOOL_USE);
    assertThat(s.metadata().usage().outputTokens()).isEqualTo(Tokens.count(s.text()));
  }

  @Test
  void toolBlocksFollowBedrocksRules() {
    Message use = Message.builder().role(ConversationRole.ASSISTANT).content(ContentBlock.fromToolUse(
        ToolUseBlock.builder().toolUseId("tooluse_1").name("get_time").input(EMPTY).build())).build();
    Message result = Message.builder().role(ConversationRole.USER).content(ContentBlock.fromToolResult(
        ToolResultBlock.builder().toolUseId("tooluse_1").content(ToolResultContentBlock.fromText("noon")).build()))
        .build();
    Message hi = SimBedrockConverseTest.user("hi");
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(hi, use, result)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("The toolConfig field must be defined when using toolUse and toolResult content blocks."));
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(hi, use, hi)
        .toolConfig(tools(null))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .startsWith("Expected toolResult blocks at messages.2.content for the following Ids: tooluse_1"));
    Message stray = Message.builder().role(ConversationRole.USER).content(ContentBlock.fromToolResult(
        ToolResultBlock.builder().toolUseId("tooluse_9").content(ToolResultContentBlock.fromText("?")).build()))
        .build();
    assertThatThrownBy(() -> client.converse(b -> b.modelId("sim-large").messages(stray).toolConfig(tools(null))))
        .isInstanceOf(ValidationException.class);
  }
}
