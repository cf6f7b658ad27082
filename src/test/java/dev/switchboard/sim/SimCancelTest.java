package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that hangs up stops the generation, and the ledger says what had been sent. */
final class SimCancelTest {
  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(
        // 500 tokens at 50/s: ten seconds of stream, so the hang-up surely lands in the middle
        new SimDeploymentSpec("slow", "r1", SimFixture.MODELS, 0, Duration.ZERO, 50, 500, 1),
        new SimDeploymentSpec("thinking", "r1", SimFixture.MODELS, 0, Duration.ofSeconds(30), 0, 10, 1));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void hangUpMidStreamIsCancelledWithTheTokensSent() throws Exception {
    try (RawHttp h = new RawHttp(fx.sim.deployment("slow").port(), "/v1/chat/completions", "cancel-mid",
        "{\"model\":\"sim-large\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")) {
      assertThat(h.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      h.readContentEvents(3);
    }
    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("cancel-mid")).get(10, TimeUnit.SECONDS);
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.stream()).isTrue();
    assertThat(e.completionTokens()).isBetween(3, 499);
    assertThat(e.promptTokens()).isEqualTo(Tokens.count("go") + 6);
  }

  @Test
  void hangUpBeforeTheFirstTokenIsCancelled() throws Exception {
    try (RawHttp h = new RawHttp(fx.sim.deployment("thinking").port(), "/v1/chat/completions", "cancel-early",
        "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")) {
      // leave during the 30 s wait for the first token
    }
    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("cancel-early")).get(10, TimeUnit.SECONDS);
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.completionTokens()).isZero();
    assertThat(e.deployment()).isEqualTo("thinking");
  }
}
