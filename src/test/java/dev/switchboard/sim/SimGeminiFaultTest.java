package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every fault kind on the Gemini routes: Google's error shapes, a broken stream that just ends, and the ledger. */
final class SimGeminiFaultTest {
  private static final String KEY_HEADER = "x-goog-api-key: k\r\n";
  static SimFixture fx;
  static GeminiCalls gemini;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1),
        // 500 tokens at 50/s: ten seconds of stream, so a hang-up surely lands in the middle
        new SimDeploymentSpec("slow", "r1", SimFixture.MODELS, 0, Duration.ZERO, 50, 500, 1));
    gemini = new GeminiCalls(fx, "a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void clearFaults() {
    for (SimDeployment d : fx.sim.deployments()) fx.sim.setFault(d.name(), null);
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void statusFaultsCarryGooglesStatusNames() throws Exception {
    fx.sim.setFault("a", Fault.status429(7));
    HttpResponse<String> limited = gemini.generate(ask("hi", ""), "x-request-id", "gf-429");
    JsonNode e = GeminiCalls.error(limited, 429, "RESOURCE_EXHAUSTED");
    assertThat(e.at("/details/0/@type").asString()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
    assertThat(e.at("/details/0/retryDelay").asString()).isEqualTo("7s");
    assertThat(limited.headers().firstValue("retry-after")).contains("7");
    LedgerEntry entry = ledger("gf-429");
    assertThat(entry.outcome()).isEqualTo("fault:status");
    assertThat(entry.endpoint()).isEqualTo("generateContent");

    int[] statuses = {400, 401, 403, 404, 500, 503, 504};
    String[] names = {"INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "INTERNAL",
        "UNAVAILABLE", "DEADLINE_EXCEEDED"};
    for (int i = 0; i < statuses.length; i++) {
      fx.sim.setFault("a", Fault.status(statuses[i]));
      JsonNode err = GeminiCalls.error(gemini.stream(ask("hi", "")), statuses[i], names[i]);
      assertThat(err.has("details")).isFalse();
    }

    // listings and token counts are not affected by faults, and not recorded
    assertThat(gemini.get("/models", true).statusCode()).isEqualTo(200);
    assertThat(gemini.call("sim-large", "countTokens", ask("hi", "")).statusCode()).isEqualTo(200);
  }

  @Test
  void aCutStreamJustEndsWithoutFinishing() throws Exception {
    fx.sim.setFault("a", Fault.cut(3));
    HttpResponse<String> r = gemini.stream(ask("count to 9", ""), "x-request-id", "gf-cut");
    assertThat(r.statusCode()).isEqualTo(200); // the response ends cleanly: only the missing finishReason tells
    List<JsonNode> chunks = GeminiCalls.chunks(r.body());
    assertThat(chunks).extracting(c -> GeminiCalls.text(c, 0)).containsExactly("1", " ", "2");
    for (JsonNode c : chunks) {
      assertThat(c.at("/candidates/0").has("finishReason")).isFalse();
      assertThat(c.has("usageMetadata")).isFalse();
    }
    LedgerEntry e = ledger("gf-cut");
    assertThat(e.outcome()).isEqualTo("cut");
    assertThat(e.completionTokens()).isEqualTo(3);
    assertThat(e.stream()).isTrue();
  }

  @Test
  void aCutBodyAndAResetBreakTheConnection() throws Exception {
    fx.sim.setFault("a", Fault.cut(0));
    assertThatThrownBy(() -> gemini.generate(ask("count to 9", ""), "x-request-id", "gf-cut-body"))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(ledger("gf-cut-body").outcome()).isEqualTo("cut");

    fx.sim.setFault("a", Fault.reset());
    assertThatThrownBy(() -> gemini.generate(ask("hi", ""), "x-request-id", "gf-reset"))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(ledger("gf-reset").outcome()).isEqualTo("fault:reset");
  }

  @Test
  void slowFirstByteDelaysTheAnswer() {
    fx.sim.setFault("a", Fault.slowFirstByte(Duration.ofMillis(80)));
    long t0 = System.nanoTime();
    assertThat(GeminiCalls.text(GeminiCalls.ok(gemini.generate(ask("count to 2", ""))), 0)).isEqualTo("1 2");
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(80);
  }

  @Test
  void hangingUpMidStreamIsCancelledWithTheTokensSent() throws Exception {
    try (RawHttp h = new RawHttp(fx.sim.deployment("slow").port(),
        "/v1beta/models/sim-large:streamGenerateContent?alt=sse", "g-cancel-mid", ask("go", ""), KEY_HEADER)) {
      assertThat(h.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      h.readLinesContaining("\"text\":", 3);
    }
    LedgerEntry e = ledger("g-cancel-mid");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.endpoint()).isEqualTo("generateContent");
    assertThat(e.completionTokens()).isBetween(3, 499);
    assertThat(e.promptTokens()).isEqualTo(Tokens.count("go") + 6);
  }

  @Test
  void hangingUpOnAHangingDeploymentIsCancelled() throws Exception {
    fx.sim.setFault("a", Fault.hang());
    try (RawHttp h = new RawHttp(fx.sim.deployment("a").port(), "/v1beta/models/sim-large:generateContent",
        "g-hang", ask("hi", ""), KEY_HEADER)) {
      // hang up without waiting for an answer that will never come
    }
    LedgerEntry e = ledger("g-hang");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.endpoint()).isEqualTo("generateContent");
  }
}
