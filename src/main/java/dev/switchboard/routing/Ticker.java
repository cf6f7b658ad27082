package dev.switchboard.routing;

/**
 * A source of monotonic nanoseconds: the one seam through which routing reads time (breakers, budgets, latency
 * averages), so tests advance time instead of waiting for it.
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
