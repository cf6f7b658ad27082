package dev.switchboard.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An Anthropic Messages upstream (the simulator's Anthropic endpoint) behind Switchboard: OpenAI clients reach
 * it by translation both ways, and Anthropic clients through the canonical model.
 */
final class AnthropicBackendE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static OpenAIClient openai;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    openai = fx.client();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  @Test
  void anOpenAiClientGetsAnAnthropicUpstreamsAnswerInOpenAisShape() {
    HttpResponseFor<ChatCompletion> raw = openai.chat().completions().withRawResponse()
        .create(ask("claude", "count to 5").build());
    ChatCompletion c = raw.parse();
    c.validate();
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3 4 5");
    assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    String id = raw.requestId().orElseThrow();
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(served.endpoint()).isEqualTo("messages");
    assertThat(served.model()).isEqualTo("sim-large");
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(served.promptTokens());
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(served.completionTokens());
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("sim-anthropic");
  }

  @Test
  void aStreamIsTranslatedChunkByChunkWithItsUsage() {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(ask("claude", "count to 6")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      s.stream().forEach(chunk -> {
        chunks.add(chunk);
        acc.accumulate(chunk);
      });
    }
    assertThat(acc.chatCompletion().choices().getFirst().message().content()).contains("1 2 3 4 5 6");
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isPositive();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aToolRoundTripCrossesTheProtocols() {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
        Map.class).forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name("get_weather").parameters(params.build()).build()).build();
    ChatCompletion first = openai.chat().completions().create(ask("claude", "Weather in Oslo?").addTool(tool).build());
    ChatCompletion.Choice choice = first.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
    JsonNode args = Json.MAPPER.readTree(call.function().arguments());
    assertThat(args.path("city").isString()).isTrue();

    ChatCompletion second = openai.chat().completions().create(ask("claude", "Weather in Oslo?").addTool(tool)
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("minus 3 and snow").build())
        .build());
    assertThat(second.choices().getFirst().message().content().orElseThrow()).contains("minus 3 and snow");
  }

  @Test
  void anAnthropicClientReachesAnAnthropicUpstream() {
    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + fx.gateway().port())
        .apiKey(GatewayFixture.MASTER_KEY).maxRetries(0).build();
    Message m = anthropic.messages().create(MessageCreateParams.builder().model("claude").maxTokens(100L)
        .addUserMessage("echo: through two codecs").build());
    StringBuilder text = new StringBuilder();
    for (ContentBlock b : m.content()) b.text().ifPresent(t -> text.append(t.text()));
    assertThat(text.toString()).isEqualTo("through two codecs");
  }

  @Test
  void anUpstreamRateLimitReachesTheOpenAiClientAsOne() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status429(7).withCount(1));
    try {
      assertThatThrownBy(() -> openai.chat().completions().create(ask("claude-faulty", "hi").build()))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.getMessage()).contains("sim-anthropic-faulty");
            assertThat(e.headers().values("retry-after")).containsExactly("7");
          });
    } finally {
      fx.clearFaults();
    }
  }
}
