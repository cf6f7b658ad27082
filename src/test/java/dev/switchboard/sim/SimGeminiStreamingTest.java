package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Gemini {@code streamGenerateContent}: SSE chunks with {@code alt=sse}, a JSON array without, thoughts, pacing. */
final class SimGeminiStreamingTest {
  static SimFixture fx;
  static GeminiCalls gemini;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1),
        new SimDeploymentSpec("paced", "r2", SimFixture.MODELS, 0, Duration.ofMillis(40), 200, 12, 1));
    gemini = new GeminiCalls(fx, "a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static String joined(List<JsonNode> chunks) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : chunks) sb.append(GeminiCalls.text(c, 0));
    return sb.toString();
  }

  @Test
  void chunksCarryOnlyTheNewTextAndTheLastOneFinishes() throws Exception {
    HttpResponse<String> r = gemini.stream(ask("count to 5", ""), "x-request-id", "gs-5");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<JsonNode> chunks = GeminiCalls.chunks(r.body());
    assertThat(chunks).hasSize(Tokens.count("1 2 3 4 5") + 1);
    assertThat(joined(chunks)).isEqualTo("1 2 3 4 5");
    String id = chunks.getFirst().path("responseId").asString();
    for (JsonNode c : chunks) {
      assertThat(c.path("responseId").asString()).isEqualTo(id);
      assertThat(c.path("modelVersion").asString()).isEqualTo("sim-large");
      assertThat(c.at("/candidates/0/content/role").asString()).isEqualTo("model");
    }
    for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
      assertThat(c.at("/candidates/0").has("finishReason")).isFalse();
      assertThat(c.has("usageMetadata")).isFalse();
    }
    JsonNode last = chunks.getLast();
    assertThat(last.at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
    assertThat(last.at("/usageMetadata/candidatesTokenCount").asInt()).isEqualTo(9);
    int prompt = last.at("/usageMetadata/promptTokenCount").asInt();
    assertThat(prompt).isEqualTo(Tokens.count("count to 5") + 6);

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("gs-5")).get(10, TimeUnit.SECONDS);
    assertThat(e.endpoint()).isEqualTo("generateContent");
    assertThat(e.stream()).isTrue();
    assertThat(e.promptTokens()).isEqualTo(prompt);
    assertThat(e.completionTokens()).isEqualTo(9);
    assertThat(e.outcome()).isEqualTo("completed");
  }

  @Test
  void withoutAltSseTheStreamIsOneJsonArray() {
    HttpResponse<String> r = gemini.call("sim-large", "streamGenerateContent", ask("count to 4", ""));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
    JsonNode array = Json.MAPPER.readTree(r.body());
    assertThat(array.isArray()).isTrue();
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : array) sb.append(GeminiCalls.text(c, 0));
    assertThat(sb.toString()).isEqualTo("1 2 3 4");
    assertThat(array.get(array.size() - 1).at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
  }

  @Test
  void thoughtsComeFirstAndCountInTheLedger() throws Exception {
    List<JsonNode> chunks = GeminiCalls.chunks(gemini.stream(ask("count to 3", ",\"generationConfig\":"
        + "{\"thinkingConfig\":{\"thinkingBudget\":-1,\"includeThoughts\":true}}"), "x-request-id", "gs-think").body());
    JsonNode first = chunks.getFirst().at("/candidates/0/content/parts/0");
    assertThat(first.path("thought").asBoolean()).isTrue();
    assertThat(Tokens.count(first.path("text").asString())).isEqualTo(GeminiRequest.THOUGHT_TOKENS);
    assertThat(joined(chunks)).isEqualTo("1 2 3");
    JsonNode usage = chunks.getLast().path("usageMetadata");
    assertThat(usage.path("thoughtsTokenCount").asInt()).isEqualTo(GeminiRequest.THOUGHT_TOKENS);
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("gs-think")).get(10, TimeUnit.SECONDS)
        .completionTokens()).isEqualTo(usage.path("candidatesTokenCount").asInt() + GeminiRequest.THOUGHT_TOKENS);
  }

  @Test
  void severalCandidatesStreamSideBySide() {
    List<JsonNode> chunks = GeminiCalls.chunks(gemini.stream(ask("count to 3", ",\"generationConfig\":"
        + "{\"candidateCount\":2}")).body());
    StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
    for (JsonNode c : chunks) {
      for (JsonNode cand : c.path("candidates")) {
        for (JsonNode p : cand.at("/content/parts")) texts[cand.path("index").asInt()].append(p.path("text").asString());
      }
    }
    assertThat(texts[0].toString()).isEqualTo("1 2 3");
    assertThat(texts[1].toString()).isEqualTo("1 2 3");
    assertThat(chunks.getLast().path("candidates").size()).isEqualTo(2);
  }

  @Test
  void pacedLikeTheOtherProtocols() {
    GeminiCalls paced = new GeminiCalls(fx, "paced");
    long t0 = System.nanoTime();
    List<JsonNode> chunks = GeminiCalls.chunks(paced.stream(ask("count to 10", "")).body());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(joined(chunks)).isEqualTo("1 2 3 4 5 6 7 8 9 10");
    // 40 ms to the first token, then 19 more tokens at 200/s
    assertThat(millis).isGreaterThanOrEqualTo(40 + (Tokens.count("1 2 3 4 5 6 7 8 9 10") - 1) * 5L);
  }
}
