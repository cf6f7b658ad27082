package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class EwmaTest {
  private final ManualTicker ticker = new ManualTicker();
  private final Ewma ewma = new Ewma(Duration.ofSeconds(10).toNanos(), ticker);

  @Test
  void isEmptyUntilTheFirstSampleWhichItTakesAsIs() {
    assertThat(ewma.value()).isNaN();
    ewma.add(100);
    assertThat(ewma.value()).isEqualTo(100);
  }

  @Test
  void anOldValueLosesHalfItsWeightPerHalfLife() {
    ewma.add(100);
    ticker.advance(Duration.ofSeconds(10));
    ewma.add(200);
    assertThat(ewma.value()).isCloseTo(150, within(1e-9));
  }

  @Test
  void simultaneousSamplesStillMoveIt() {
    ewma.add(100);
    for (int i = 0; i < 50; i++) ewma.add(0);
    assertThat(ewma.value()).isLessThan(1);
  }
}
