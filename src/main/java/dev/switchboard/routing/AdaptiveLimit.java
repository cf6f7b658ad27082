package dev.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests one deployment may have in flight: a fixed ceiling (the configured {@code max_concurrency})
 * and, under it, a limit found by AIMD — grow by one per limit's worth of successes, shrink by a tenth on a sign of
 * overload (429, 503, a timeout). So Switchboard backs off as an upstream saturates, before it starts refusing.
 *
 * <p>Thread-safe without locks: every request of every event loop takes and releases a slot here. The in-flight
 * count is exact (CAS); the limit is an estimate, so a concurrent update lost now and then changes nothing that
 * matters.
 */
final class AdaptiveLimit {
  private static final double BACKOFF = 0.9;

  private final int ceiling;
  private final int floor;
  private volatile double limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** @param ceiling the most requests ever in flight; {@code initial} is clamped to it */
  AdaptiveLimit(int initial, int floor, int ceiling) {
    if (floor < 1 || ceiling < floor) {
      throw new IllegalArgumentException("limits : floor " + floor + ", ceiling " + ceiling
          + " (expected: 1 <= floor <= ceiling)");
    }
    this.ceiling = ceiling;
    this.floor = floor;
    this.limit = Math.max(floor, Math.min(initial, ceiling));
  }

  /** Takes a slot; false when the deployment is at its limit. A taken slot must be released exactly once. */
  boolean tryAcquire() {
    while (true) {
      int n = inFlight.get();
      if (n >= (int) limit) return false;
      if (inFlight.compareAndSet(n, n + 1)) return true;
    }
  }

  /** Whether a slot is free now, without taking it. */
  boolean hasRoom() {
    return inFlight.get() < (int) limit;
  }

  /** @param overloaded the upstream answered 429/503 or timed out */
  void release(boolean overloaded) {
    int was = inFlight.getAndDecrement();
    double l = limit;
    if (overloaded) {
      limit = Math.max(floor, l * BACKOFF);
    } else if (was * 2 >= l && l < ceiling) {
      // Grow only when the limit was being used: an idle deployment has shown nothing about higher loads.
      limit = Math.min(ceiling, l + 1 / l);
    }
  }

  int inFlight() {
    return inFlight.get();
  }

  int limit() {
    return (int) limit;
  }
}
