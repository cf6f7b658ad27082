package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Non-streamed chat completions through the official OpenAI SDK: content rules, limits, usage and errors. */
final class SimChatTest {
  static SimFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1), SimFixture.instant("b", "r2", 2));
    client = fx.client("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static ChatCompletion ask(String text) {
    return client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-large").addUserMessage(text).build());
  }

  @Test
  void countsExactly() {
    ChatCompletion c = ask("Please count to 5.");
    assertThat(c.choices()).hasSize(1);
    assertThat(c.choices().get(0).message().content()).contains("1 2 3 4 5");
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.id()).startsWith("chatcmpl-");
    assertThat(c.model()).isEqualTo("sim-large");
    assertThat(c.created()).isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 60);
    CompletionUsage u = c.usage().orElseThrow();
    assertThat(u.completionTokens()).isEqualTo(Tokens.count("1 2 3 4 5"));
    // 3 per message + 3, plus the text's tokens
    assertThat(u.promptTokens()).isEqualTo(Tokens.count("Please count to 5.") + 6);
    assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
    assertThat(u.promptTokensDetails().orElseThrow().cachedTokens()).contains(0L);
    assertThat(u.completionTokensDetails().orElseThrow().reasoningTokens()).contains(0L);
  }

  @Test
  void echoesAndGeneratesDeterministicWords() {
    assertThat(ask("echo: Hello, wörld!").choices().get(0).message().content()).contains("Hello, wörld!");

    String first = ask("tell me something").choices().get(0).message().content().orElseThrow();
    String again = ask("tell me something").choices().get(0).message().content().orElseThrow();
    ChatCompletion other = ask("tell me something else");
    assertThat(first).isEqualTo(again).isNotEqualTo(other.choices().get(0).message().content().orElseThrow());
    assertThat(first.split(" ")).hasSize(12); // the spec's outputTokens
    assertThat(other.usage().orElseThrow().completionTokens()).isEqualTo(12);

    String fromB = fx.client("b").chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-large").addUserMessage("tell me something").build()).choices().get(0).message().content()
        .orElseThrow();
    assertThat(fromB).as("another seed, other words").isNotEqualTo(first);
  }

  @Test
  void honoursNMaxTokensAndStop() {
    ChatCompletion two = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-small").addUserMessage("write a poem").n(2).build());
    assertThat(two.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
    assertThat(two.choices().get(0).message().content()).isNotEqualTo(two.choices().get(1).message().content());
    assertThat(two.usage().orElseThrow().completionTokens()).isEqualTo(24);

    ChatCompletion limited = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-small").addUserMessage("count to 10").maxCompletionTokens(5).build());
    // cl100k splits "1 2 3" into five tokens: digits and spaces apart
    assertThat(limited.choices().get(0).message().content()).contains("1 2 3");
    assertThat(limited.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(limited.usage().orElseThrow().completionTokens()).isEqualTo(5);

    ChatCompletion stopped = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-small").addUserMessage("count to 10").stop(ChatCompletionCreateParams.Stop.ofStrings(List.of(" 5", "9")))
        .build());
    assertThat(stopped.choices().get(0).message().content()).contains("1 2 3 4");
    assertThat(stopped.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  @Test
  void legacyMaxTokensAndContentParts() throws Exception {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", """
        {"model":"sim-large","max_tokens":3,"messages":[
          {"role":"system","content":"be brief"},
          {"role":"user","content":[{"type":"text","text":"count to 9"},{"type":"image_url","image_url":{"url":"x"}}]}]}
        """, "authorization", "Bearer k", "x-request-id", "my-req-1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-request-id")).contains("my-req-1");
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertThat(body.at("/choices/0/message/content").asString()).isEqualTo("1 2");
    assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("length");
    assertThat(body.at("/system_fingerprint").isString()).isTrue();
    assertThat(body.at("/service_tier").asString()).isEqualTo("default");
    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("my-req-1")).get(10, TimeUnit.SECONDS);
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.completionTokens()).isEqualTo(3);
    assertThat(e.promptTokens()).isEqualTo(Tokens.count("be brief") + Tokens.count("count to 9") + 9);
    assertThat(e.deployment()).isEqualTo("a");
    assertThat(e.region()).isEqualTo("r1");
    assertThat(e.endpoint()).isEqualTo("chat");
  }

  @Test
  void unknownModelIsNotFound() {
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-nope").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.code()).contains("model_not_found");
        });
  }

  @Test
  void invalidRequestsNameTheField() throws Exception {
    String url = fx.sim.deployment("a").baseUrl() + "/chat/completions";
    HttpResponse<String> noKey = fx.post(url, "{\"model\":\"sim-large\",\"messages\":[]}");
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(Json.MAPPER.readTree(noKey.body()).at("/error/code").asString()).isEqualTo("invalid_api_key");
    assertThat(noKey.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));

    HttpResponse<String> malformed = fx.post(url, "{\"model\":", "authorization", "Bearer k");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(malformed.body()).at("/error/type").asString()).isEqualTo("invalid_request_error");

    assertThat(fx.post(url, "", "authorization", "Bearer k").statusCode()).isEqualTo(400);
    assertThat(fx.post(url, "[1]", "authorization", "Bearer k").statusCode()).isEqualTo(400);

    HttpResponse<String> noModel = fx.post(url, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "authorization", "Bearer k");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(noModel.body()).at("/error/param").asString()).isEqualTo("model");

    HttpResponse<String> badRole = fx.post(url, "{\"model\":\"sim-large\",\"messages\":[{\"role\":\"robot\"}]}",
        "authorization", "Bearer k");
    assertThat(badRole.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(badRole.body()).at("/error/param").asString()).isEqualTo("messages[0].role");

    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-large").messages(List.of()).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("messages"));

    HttpResponse<String> wrongPath = fx.post(fx.sim.deployment("a").baseUrl() + "/nothing", "{}",
        "authorization", "Bearer k");
    assertThat(wrongPath.statusCode()).isEqualTo(404);

    LedgerEntry rejected =
        fx.sim.ledger().await(x -> x.outcome().equals("error:401")).get(10, TimeUnit.SECONDS);
    assertThat(rejected.completionTokens()).isZero();
  }
}
