package dev.switchboard.sim;

import dev.switchboard.util.Checks;

/**
 * When each token of a paced answer is due: step {@code k} (0-based) at {@code start + k / tokensPerSecond}. The first
 * step goes out with the response head, which already waited the time to first token.
 *
 * <p>Working from the start time rather than from the previous timer keeps the rate exact however late timers fire,
 * and lets one timer tick send several steps when the rate is above the timer resolution (1 ms).
 */
final class Pacer {
  private final long startNanos;
  private final double intervalNanos;

  /** @param tokensPerSecond {@code > 0} */
  Pacer(long startNanos, double tokensPerSecond) {
    Checks.argument(tokensPerSecond > 0, "tokensPerSecond : %s (expected: > 0)", tokensPerSecond);
    this.startNanos = startNanos;
    this.intervalNanos = 1e9 / tokensPerSecond;
  }

  /** How many steps are due by {@code nowNanos} (at least 1: step 0 is due at the start). */
  long dueSteps(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - startNanos);
    return (long) Math.floor(elapsed / intervalNanos) + 1;
  }

  /** Milliseconds to wait from {@code nowNanos} until step {@code step} is due; at least 1, the timer resolution. */
  long millisUntil(long step, long nowNanos) {
    double due = startNanos + step * intervalNanos;
    return Math.max(1, (long) Math.ceil((due - nowNanos) / 1e6));
  }

  /** Total time from the first step to the last of {@code steps} steps, for answers that are not streamed. */
  static long millisFor(int steps, double tokensPerSecond) {
    if (tokensPerSecond <= 0 || steps <= 1) return 0;
    return Math.round((steps - 1) * 1000 / tokensPerSecond);
  }
}
