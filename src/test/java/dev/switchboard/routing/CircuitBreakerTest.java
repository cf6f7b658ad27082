package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class CircuitBreakerTest {
  private final ManualTicker ticker = new ManualTicker();
  private final CircuitBreaker breaker = new CircuitBreaker(CircuitBreaker.Settings.DEFAULT, ticker);

  @Test
  void consecutiveFailuresTripItAndASuccessInBetweenStartsTheCountAgain() {
    for (int i = 0; i < 4; i++) breaker.onFailure(false);
    breaker.onSuccess();
    for (int i = 0; i < 4; i++) breaker.onFailure(false);
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.onFailure(false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
  }

  @Test
  void aConnectionLevelFailureEjectsAtOnce() {
    breaker.onFailure(true);
    assertThat(breaker.tryAcquire()).isFalse();
    assertThat(breaker.isOpen()).isTrue();
  }

  @Test
  void anErrorRateOverTheWindowTripsItWithoutARunOfFailures() {
    for (int i = 0; i < 20; i++) {
      if (i % 2 == 1) breaker.onFailure(false);
      else breaker.onSuccess();
      ticker.advance(Duration.ofMillis(100));
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void failuresOlderThanTheWindowAreForgotten() {
    for (int i = 0; i < 10; i++) {
      breaker.onFailure(false);
      breaker.onSuccess();
    }
    ticker.advance(Duration.ofSeconds(11));
    for (int i = 0; i < 10; i++) breaker.onSuccess();
    breaker.onFailure(false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void afterTheEjectionExactlyOneProbeGoesThroughAndItsSuccessCloses() {
    breaker.onFailure(true);
    ticker.advance(Duration.ofMillis(999));
    assertThat(breaker.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.tryAcquire()).isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  void eachFailedProbeDoublesTheEjectionUpToTheMaximum() {
    breaker.onFailure(true);
    long[] expectedMillis = {2000, 4000, 8000, 16000, 32000, 60000, 60000};
    ticker.advance(Duration.ofSeconds(1));
    for (long millis : expectedMillis) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.onFailure(false);
      ticker.advance(Duration.ofMillis(millis - 1));
      assertThat(breaker.tryAcquire()).as("still ejected after %d ms", millis - 1).isFalse();
      ticker.advance(Duration.ofMillis(1));
    }
  }

  @Test
  void aProbeWhoseClientLeftLetsTheNextRequestProbe() {
    breaker.onFailure(true);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.onAbandoned();
    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  void aDeploymentHealthyForLongerThanTheMaximumEjectionStartsAgainFromTheShortestEjection() {
    breaker.onFailure(true);
    ticker.advance(Duration.ofSeconds(1));
    breaker.tryAcquire();
    breaker.onFailure(false); // second ejection: 2 s
    ticker.advance(Duration.ofSeconds(2));
    breaker.tryAcquire();
    breaker.onSuccess();
    ticker.advance(Duration.ofSeconds(61));
    breaker.onFailure(true);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(breaker.tryAcquire()).isTrue();
  }
}
