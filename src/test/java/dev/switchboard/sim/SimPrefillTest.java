package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;

/**
 * A conversation that ends with the assistant's unfinished answer (a prefill) gets only the rest of that answer, with
 * usage for the rest: natively on Anthropic Messages and Converse, with vLLM's {@code continue_final_message} on
 * OpenAI chat. Through each protocol's official SDK.
 */
final class SimPrefillTest {
  static final String REST = " 4 5 6 7 8 9 10";
  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static ChatCompletion openAi(boolean continueFinal) {
    OpenAIClient client = fx.client("a");
    var b = ChatCompletionCreateParams.builder().model("sim-large").addUserMessage("count to 10")
        .addAssistantMessage("1 2 3");
    if (continueFinal) {
      b.putAdditionalBodyProperty("continue_final_message", JsonValue.from(true))
          .putAdditionalBodyProperty("add_generation_prompt", JsonValue.from(false));
    }
    return client.chat().completions().create(b.build());
  }

  @Test
  void openAiContinuesTheFinalAssistantMessageWhenAskedAsVllmIs() {
    ChatCompletion c = openAi(true);
    assertThat(c.choices().getFirst().message().content()).contains(REST);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(Tokens.count(REST));
  }

  @Test
  void openAiAnswersAnewWithoutTheSwitch() {
    assertThat(openAi(false).choices().getFirst().message().content()).contains("1 2 3 4 5 6 7 8 9 10");
  }

  @Test
  void anthropicContinuesAFinalAssistantMessage() {
    AnthropicClient client = fx.anthropic("a");
    Message m = client.messages().create(MessageCreateParams.builder().model("sim-large").maxTokens(100)
        .addUserMessage("count to 10").addAssistantMessage("1 2 3").build());
    assertThat(m.content().getFirst().asText().text()).isEqualTo(REST);
    assertThat(m.usage().outputTokens()).isEqualTo(Tokens.count(REST));
  }

  @Test
  void aPrefillThatIsNotTheAnswersStartChangesNothing() {
    AnthropicClient client = fx.anthropic("a");
    Message m = client.messages().create(MessageCreateParams.builder().model("sim-large").maxTokens(100)
        .addUserMessage("count to 10").addAssistantMessage("Sure:").build());
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3 4 5 6 7 8 9 10");
  }

  @Test
  void converseContinuesAFinalAssistantMessage() {
    BedrockRuntimeClient client = fx.bedrock("a");
    ConverseResponse r = client.converse(b -> b.modelId("sim-large").messages(
        SimBedrockConverseTest.user("count to 10"),
        software.amazon.awssdk.services.bedrockruntime.model.Message.builder().role(ConversationRole.ASSISTANT)
            .content(ContentBlock.fromText("1 2 3")).build()));
    assertThat(r.output().message().content().getFirst().text()).isEqualTo(REST);
    assertThat(r.usage().outputTokens()).isEqualTo(Tokens.count(REST));
  }
}
