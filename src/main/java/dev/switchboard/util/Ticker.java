package dev.switchboard.util;

/**
 * A source of monotonic nanoseconds: the one seam through which time is read where it decides behaviour (the
 * router's breakers, budgets and latency averages; the simulator's pacing), so tests advance time instead of
 * waiting for it.
 */
@FunctionalInterface
public interface Ticker {
  long read();

  static Ticker system() {
    return SystemTicker.INSTANCE;
  }

  enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
      return System.nanoTime();
    }
  }
}
