package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Bounds retries to a share of the traffic, so a bad minute cannot become a retry storm: every request deposits
 * {@code ratio} of a retry, every retry withdraws one. A small reserve refilled with time ({@code minPerSecond})
 * lets a quiet gateway still retry its occasional failure. Finagle's retry budget, in a dozen lines.
 *
 * <p>Thread-safe. Every request deposits without a lock (a CAS on the balance, kept in thousandths of a retry);
 * retries, which are rare, synchronize.
 */
final class RetryBudget {
  /** The deposits are capped, so a long quiet spell cannot save up a burst of retries. */
  private static final double MAX_SAVED_RETRIES = 100;

  private final double minPerSecond;
  private final Ticker ticker;
  /** Saved retries, in thousandths. */
  private final java.util.concurrent.atomic.AtomicLong balance = new java.util.concurrent.atomic.AtomicLong();
  private final long deposit;
  private double reserve;
  private long reserveAt;

  RetryBudget(double ratio, double minPerSecond, Ticker ticker) {
    if (!(ratio >= 0 && ratio <= 10)) throw new IllegalArgumentException("ratio : " + ratio + " (expected: 0..10)");
    if (!(minPerSecond >= 0)) throw new IllegalArgumentException("minPerSecond : " + minPerSecond + " (expected: >= 0)");
    this.deposit = Math.round(ratio * 1000);
    this.minPerSecond = minPerSecond;
    this.ticker = ticker;
    this.reserve = minPerSecond;
    this.reserveAt = ticker.read();
  }

  /** A first attempt was made. */
  void onRequest() {
    long cap = (long) (MAX_SAVED_RETRIES * 1000);
    balance.getAndUpdate(b -> Math.min(cap, b + deposit));
  }

  /** Takes one retry from the budget; false when the budget is spent and the failure must stand. */
  synchronized boolean tryRetry() {
    while (true) {
      long b = balance.get();
      if (b < 1000) break;
      if (balance.compareAndSet(b, b - 1000)) return true;
    }
    long now = ticker.read();
    reserve = Math.min(minPerSecond, reserve + minPerSecond * (now - reserveAt) / (double) TimeUnit.SECONDS.toNanos(1));
    reserveAt = now;
    if (reserve >= 1) {
      reserve -= 1;
      return true;
    }
    return false;
  }
}
