package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import java.time.Duration;

/** A ticker the test moves by hand. */
final class ManualTicker implements Ticker {
  private long now = 1_000_000_000L;

  @Override
  public long read() {
    return now;
  }

  void advance(Duration d) {
    now += d.toNanos();
  }
}
