package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The matrix's checks for the official OpenAI Java SDK, pointed at Switchboard's {@code /v1}. */
final class OpenAiSdkCells implements AutoCloseable {
  private final OpenAIClient client;

  OpenAiSdkCells(String baseUrl, String key) {
    client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(key).maxRetries(0).build();
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
      ChatCompletion c = create(ask(cell.model(), "weather?").addTool(tool("get_weather")));
      assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
      assertThat(calls(c).getFirst().function().name()).isEqualTo("get_weather");
    });
    checks.put("tool result", cell -> {
      ChatCompletionCreateParams.Builder conversation = ask(cell.model(), "weather?").addTool(tool("get_weather"));
      ChatCompletion first = create(conversation);
      ChatCompletionMessage call = first.choices().getFirst().message();
      ChatCompletion second = create(conversation.addMessage(call).addMessage(ChatCompletionToolMessageParam.builder()
          .toolCallId(calls(first).getFirst().id()).content(Fixtures.TOOL_RESULT).build()));
      assertThat(second.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      assertThat(text(second)).contains("The tool returned: " + Fixtures.TOOL_RESULT);
    });
    checks.put("parallel tools", cell -> {
      ChatCompletionCreateParams.Builder ask = ask(cell.model(), "use every tool")
          .addTool(tool("get_weather")).addTool(tool("get_time"));
      assertThat(calls(create(ask)).stream().map(c -> c.function().name())).containsExactly("get_weather", "get_time");
      List<ChatCompletionMessageFunctionToolCall> streamed = calls(stream(ask));
      assertThat(streamed.stream().map(c -> c.function().name())).containsExactly("get_weather", "get_time");
      assertThat(streamed.get(0).id()).isNotEqualTo(streamed.get(1).id());
    });
    checks.put("images", cell -> assertThat(text(create(ChatCompletionCreateParams.builder().model(cell.model())
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("how many images?").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64," + Fixtures.PNG_BASE64)
                    .build()).build()))))))
        .contains("I see 1 image(s): image/png"));
    checks.put("system", cell -> assertThat(text(create(ChatCompletionCreateParams.builder().model(cell.model())
        .addSystemMessage(Fixtures.SYSTEM).addUserMessage("repeat the system prompt")))).contains(Fixtures.SYSTEM));
    checks.put("stop reasons", cell -> {
      assertThat(create(ask(cell.model(), "count to 50").maxCompletionTokens(3)).choices().getFirst().finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
      assertThat(create(ask(cell.model(), "count to 3")).choices().getFirst().finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    });
    checks.put("usage", cell -> {
      var usage = create(ask(cell.model(), "hello")).usage().orElseThrow();
      assertThat(usage.promptTokens()).isPositive();
      assertThat(usage.completionTokens()).isPositive();
      assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    });
    checks.put("cache", cell -> {
      throw new NotApplicable("the Chat Completions API has no cache markers to send");
    });
    checks.put("errors", cell -> {
      cell.throttleNext().run();
      assertThatThrownBy(() -> create(ask(cell.faultyModel(), "hi"))).isInstanceOf(RateLimitException.class);
      assertThatThrownBy(() -> create(ask("no-such-model", "hi"))).isInstanceOf(NotFoundException.class);
    });
    return checks;
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private ChatCompletion create(ChatCompletionCreateParams.Builder params) {
    return client.chat().completions().create(params.build());
  }

  private ChatCompletion stream(ChatCompletionCreateParams.Builder params) {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params.build())) {
      s.stream().forEach(acc::accumulate);
    }
    return acc.chatCompletion();
  }

  private static String text(ChatCompletion c) {
    return c.choices().getFirst().message().content().orElse("");
  }

  private static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion c) {
    return c.choices().getFirst().message().toolCalls().orElseThrow().stream()
        .map(ChatCompletionMessageToolCall::asFunction).toList();
  }

  private static ChatCompletionFunctionTool tool(String name) {
    FunctionParameters params = FunctionParameters.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
        .build();
    return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name(name).parameters(params)
        .build()).build();
  }
}
