package dev.switchboard.sim;

/**
 * A source of monotonic nanoseconds: the one seam through which the simulator reads time for pacing, so the pacing
 * arithmetic can be tested without waiting.
 */
@FunctionalInterface
interface Ticker {
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
