package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.models.ModelInfo;
import com.anthropic.models.models.ModelListPage;
import com.anthropic.models.models.ModelListParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Non-streamed Anthropic messages, token counting and the models list, through the official SDK and raw HTTP. */
final class SimAnthropicMessagesTest {
  static SimFixture fx;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
    client = fx.anthropic("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static MessageCreateParams.Builder ask(String text) {
    return MessageCreateParams.builder().model("sim-large").maxTokens(1024).addUserMessage(text);
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void countToFiveWithUsageAsTheLedgerHasIt() throws Exception {
    HttpResponseFor<Message> raw = client.messages().withRawResponse()
        .create(ask("count to 5").putAdditionalHeader("x-request-id", "m-count").build());
    assertThat(raw.headers().values("request-id")).containsExactly("m-count");
    Message m = raw.parse();
    assertThat(m.id()).startsWith("msg_");
    assertThat(m.model().asString()).isEqualTo("sim-large");
    assertThat(m.content()).hasSize(1);
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3 4 5");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.stopSequence()).isEmpty();
    // the same counting as the OpenAI side: cl100k tokens + 3 per message + 3
    assertThat(m.usage().inputTokens()).isEqualTo(Tokens.count("count to 5") + 6);
    assertThat(m.usage().outputTokens()).isEqualTo(Tokens.count("1 2 3 4 5"));
    assertThat(m.usage().cacheReadInputTokens()).contains(0L);
    assertThat(m.usage().cacheCreationInputTokens()).contains(0L);

    LedgerEntry e = ledger("m-count");
    assertThat(e.endpoint()).isEqualTo("messages");
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.stream()).isFalse();
    assertThat(e.model()).isEqualTo("sim-large");
    assertThat(e.promptTokens()).isEqualTo(m.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(m.usage().outputTokens());
  }

  @Test
  void sameConversationSameAnswerAndUsageAsOpenAi() {
    Message m = client.messages().create(MessageCreateParams.builder().model("sim-small").maxTokens(100)
        .system("You are terse.").addUserMessage("Tell me something.").build());
    ChatCompletion c = fx.client("a").chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-small").addSystemMessage("You are terse.").addUserMessage("Tell me something.").build());
    String text = m.content().getFirst().asText().text();
    assertThat(text.split(" ")).hasSize(12);
    assertThat(text).isEqualTo(c.choices().getFirst().message().content().orElseThrow());
    assertThat(m.usage().inputTokens()).isEqualTo(c.usage().orElseThrow().promptTokens());
    assertThat(m.usage().outputTokens()).isEqualTo(c.usage().orElseThrow().completionTokens());
  }

  @Test
  void stopSequenceIsReportedWithTheSequence() {
    Message m = client.messages().create(ask("echo: alpha beta STOP gamma END").addStopSequence("END")
        .addStopSequence("STOP").build());
    assertThat(m.content().getFirst().asText().text()).isEqualTo("alpha beta ");
    assertThat(m.stopReason()).contains(StopReason.STOP_SEQUENCE);
    assertThat(m.stopSequence()).contains("STOP");
  }

  @Test
  void maxTokensCutsTheAnswer() {
    Message m = client.messages().create(ask("count to 50").maxTokens(5).build());
    assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
    assertThat(m.usage().outputTokens()).isEqualTo(5);
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3");
  }

  @Test
  void classicHeadersAndExactShape() {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages",
        "{\"model\":\"sim-large\",\"max_tokens\":50,\"system\":[{\"type\":\"text\",\"text\":\"sys\"}],"
            + "\"metadata\":{\"user_id\":\"u1\"},\"temperature\":0.2,"
            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"count to 3\"}]}]}",
        "x-api-key", "k", "anthropic-version", "2023-06-01");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(r.headers().firstValue("request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    JsonNode m = Json.MAPPER.readTree(r.body());
    assertThat(m.propertyNames()).containsExactly("id", "type", "role", "model", "content", "stop_reason",
        "stop_sequence", "usage");
    assertThat(m.get("type").asString()).isEqualTo("message");
    assertThat(m.get("role").asString()).isEqualTo("assistant");
    assertThat(m.get("stop_sequence").isNull()).isTrue();
    assertThat(m.get("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"1 2 3\"}]");
    assertThat(m.get("usage").propertyNames()).containsExactly("input_tokens", "output_tokens",
        "cache_creation_input_tokens", "cache_read_input_tokens");
    assertThat(m.at("/usage/input_tokens").asInt()).isEqualTo(3 + (3 + Tokens.count("sys"))
        + (3 + Tokens.count("count to 3")));
  }

  @Test
  void countTokensMatchesTheMessagesUsage() {
    long counted = client.messages().countTokens(MessageCountTokensParams.builder().model("sim-large")
        .system("sys").addUserMessage("count to 7").build()).inputTokens();
    Message m = client.messages().create(ask("count to 7").system("sys").build());
    assertThat(counted).isEqualTo(m.usage().inputTokens());
  }

  @Test
  void modelsInAnthropicShapeWithTheHeaderOpenAiShapeWithout() {
    ModelListPage page = client.models().list();
    assertThat(page.data()).extracting(ModelInfo::id).containsExactlyElementsOf(SimFixture.MODELS);
    ModelInfo first = page.data().getFirst();
    assertThat(first.displayName()).isEqualTo("Sim Large");
    assertThat(first.createdAt().toEpochSecond()).isEqualTo(OpenAiRoutes.MODEL_CREATED);
    assertThat(page.hasMore()).contains(false);
    assertThat(page.firstId()).contains("sim-large");

    List<String> paged = new ArrayList<>();
    client.models().list(ModelListParams.builder().limit(2L).build()).autoPager().forEach(mi -> paged.add(mi.id()));
    assertThat(paged).containsExactlyElementsOf(SimFixture.MODELS);
    assertThat(client.models().retrieve("sim-embed").displayName()).isEqualTo("Sim Embed");

    String url = fx.sim.deployment("a").anthropicBaseUrl() + "/v1/models";
    JsonNode anthropic = Json.MAPPER.readTree(fx.send(HttpRequest.newBuilder(URI.create(url))
        .header("x-api-key", "k").header("anthropic-version", "2023-06-01").timeout(Duration.ofSeconds(10)).build())
        .body());
    assertThat(anthropic.propertyNames()).containsExactly("data", "has_more", "first_id", "last_id");
    assertThat(anthropic.get("data").get(0).propertyNames())
        .contains("type", "id", "display_name", "created_at");
    assertThat(anthropic.get("last_id").asString()).isEqualTo("sim-embed");
    JsonNode openAi = Json.MAPPER.readTree(fx.send(HttpRequest.newBuilder(URI.create(url))
        .header("authorization", "Bearer k").timeout(Duration.ofSeconds(10)).build()).body());
    assertThat(openAi.get("object").asString()).isEqualTo("list");
    assertThat(openAi.get("data").get(0).get("owned_by").asString()).isEqualTo("switchboard-sim");
  }
}
