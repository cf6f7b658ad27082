package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Health hints from other instances: they eject for their time and no longer, and only trips are announced. */
final class CircuitBreakerHintTest {
  private final ManualTicker ticker = new ManualTicker();
  private final CircuitBreaker breaker = new CircuitBreaker(CircuitBreaker.Settings.DEFAULT, ticker);

  @Test
  void aHintEjectsForItsTimeThenOneProbeClosesIt() {
    breaker.hint(TimeUnit.MILLISECONDS.toNanos(2_000));
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(2_000));
    assertThat(breaker.tryAcquire()).as("the probe").isTrue();
    assertThat(breaker.tryAcquire()).isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aHintNeverOutlastsTheLongestEjectionNorExtendsOneUnderWay() {
    breaker.hint(TimeUnit.MINUTES.toNanos(10));
    ticker.advance(Duration.ofSeconds(60));
    assertThat(breaker.isOpen()).isFalse();

    CircuitBreaker tripped = new CircuitBreaker(CircuitBreaker.Settings.DEFAULT, ticker);
    tripped.onFailure(true); // its own ejection: 1 s
    tripped.hint(TimeUnit.SECONDS.toNanos(30));
    ticker.advance(Duration.ofSeconds(1));
    assertThat(tripped.isOpen()).isFalse();
  }

  @Test
  void tripsAreAnnouncedWithTheirEjectionAndHintsAreNot() {
    List<Long> heard = new ArrayList<>();
    breaker.onTrip(heard::add);
    breaker.hint(TimeUnit.SECONDS.toNanos(5));
    assertThat(heard).isEmpty();
    ticker.advance(Duration.ofSeconds(5));
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.onFailure(false); // the probe fails: a trip of this breaker's own
    assertThat(heard).containsExactly(TimeUnit.SECONDS.toNanos(1));
  }
}
