package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The matrix's checks for the official Anthropic Java SDK, pointed at Switchboard's root. */
final class AnthropicSdkCells implements AutoCloseable {
  private final AnthropicClient client;

  AnthropicSdkCells(String baseUrl, String key) {
    client = AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(key).maxRetries(0).build();
  }

  @Override
  public void close() {
    client.close();
  }

  Map<String, Check> checks() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("text", cell -> assertThat(text(create(ask(cell.model(), "count to 3")))).contains("1 2 3"));
    checks.put("stream", cell -> assertThat(text(stream(ask(cell.model(), "count to 3")))).contains("1 2 3"));
    checks.put("tools", cell -> {
      Message m = create(ask(cell.model(), "weather?").addTool(tool("get_weather")));
      assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
      assertThat(calls(m).getFirst().name()).isEqualTo("get_weather");
    });
    checks.put("tool result", cell -> {
      MessageCreateParams.Builder conversation = ask(cell.model(), "weather?").addTool(tool("get_weather"));
      Message first = create(conversation);
      Message second = create(conversation.addMessage(first).addUserMessageOfContentBlockParams(List.of(
          ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(calls(first).getFirst().id())
              .content(Fixtures.TOOL_RESULT).build()))));
      assertThat(second.stopReason()).contains(StopReason.END_TURN);
      assertThat(text(second)).contains("The tool returned: " + Fixtures.TOOL_RESULT);
    });
    checks.put("parallel tools", cell -> {
      MessageCreateParams.Builder ask = ask(cell.model(), "use every tool")
          .addTool(tool("get_weather")).addTool(tool("get_time"));
      assertThat(calls(create(ask)).stream().map(ToolUseBlock::name)).containsExactly("get_weather", "get_time");
      List<ToolUseBlock> streamed = calls(stream(ask));
      assertThat(streamed.stream().map(ToolUseBlock::name)).containsExactly("get_weather", "get_time");
      assertThat(streamed.get(0).id()).isNotEqualTo(streamed.get(1).id());
    });
    checks.put("images", cell -> assertThat(text(create(MessageCreateParams.builder().model(cell.model())
        .maxTokens(100L).addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofText(TextBlockParam.builder().text("how many images?").build()),
            ContentBlockParam.ofImage(ImageBlockParam.builder().source(Base64ImageSource.builder()
                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).data(Fixtures.PNG_BASE64).build()).build()))))))
        .contains("I see 1 image(s): image/png"));
    checks.put("system", cell -> assertThat(text(create(ask(cell.model(), "repeat the system prompt")
        .system(Fixtures.SYSTEM)))).contains(Fixtures.SYSTEM));
    checks.put("stop reasons", cell -> {
      assertThat(create(ask(cell.model(), "count to 50").maxTokens(3L)).stopReason()).contains(StopReason.MAX_TOKENS);
      assertThat(create(ask(cell.model(), "count to 3")).stopReason()).contains(StopReason.END_TURN);
    });
    checks.put("usage", cell -> {
      Usage usage = create(ask(cell.model(), "hello")).usage();
      assertThat(usage.inputTokens()).isPositive();
      assertThat(usage.outputTokens()).isPositive();
    });
    checks.put("cache", cell -> {
      if (!cell.carriesCacheMarkers()) throw new NotApplicable(cell.backend() + " upstreams have no cache markers");
      MessageCreateParams.Builder ask = ask(cell.model(), "hello").systemOfTextBlockParams(List.of(TextBlockParam
          .builder().text(Fixtures.uniqueCachedSystem("anthropic", cell))
          .cacheControl(CacheControlEphemeral.builder().build()).build()));
      Usage written = create(ask).usage();
      Usage read = stream(ask).usage();
      assertThat(written.cacheCreationInputTokens()).hasValueSatisfying(t -> assertThat(t).isPositive());
      assertThat(read.cacheReadInputTokens()).isEqualTo(written.cacheCreationInputTokens());
      assertThat(read.inputTokens()).isEqualTo(written.inputTokens());
    });
    checks.put("errors", cell -> {
      cell.throttleNext().run();
      assertThatThrownBy(() -> create(ask(cell.faultyModel(), "hi"))).isInstanceOf(RateLimitException.class);
      assertThatThrownBy(() -> create(ask("no-such-model", "hi"))).isInstanceOf(NotFoundException.class);
    });
    return checks;
  }

  private static MessageCreateParams.Builder ask(String model, String text) {
    return MessageCreateParams.builder().model(model).maxTokens(100L).addUserMessage(text);
  }

  private Message create(MessageCreateParams.Builder params) {
    return client.messages().create(params.build());
  }

  private Message stream(MessageCreateParams.Builder params) {
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params.build())) {
      s.stream().forEach(acc::accumulate);
    }
    return acc.message();
  }

  private static String text(Message m) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock block : m.content()) block.text().ifPresent(t -> b.append(t.text()));
    return b.toString();
  }

  private static List<ToolUseBlock> calls(Message m) {
    return m.content().stream().flatMap(b -> b.toolUse().stream()).toList();
  }

  private static Tool tool(String name) {
    return Tool.builder().name(name).inputSchema(Tool.InputSchema.builder()
        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
        .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build();
  }
}
