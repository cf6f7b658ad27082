package dev.switchboard.routing;

/**
 * How many requests one deployment may have in flight: a fixed ceiling (the configured {@code max_concurrency})
 * and, under it, a limit found by AIMD — grow by one per limit's worth of successes, shrink by a tenth on a sign of
 * overload (429, 503, a timeout). So Switchboard backs off as an upstream saturates, before it starts refusing.
 *
 * <p>Thread-safe (synchronized).
 */
final class AdaptiveLimit {
  private static final double BACKOFF = 0.9;

  private final int ceiling;
  private final int floor;
  private double limit;
  private int inFlight;

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
  synchronized boolean tryAcquire() {
    if (inFlight >= (int) limit) return false;
    inFlight++;
    return true;
  }

  /** Whether a slot is free now, without taking it. */
  synchronized boolean hasRoom() {
    return inFlight < (int) limit;
  }

  /** @param overloaded the upstream answered 429/503 or timed out */
  synchronized void release(boolean overloaded) {
    int was = inFlight--;
    if (overloaded) {
      limit = Math.max(floor, limit * BACKOFF);
    } else if (was * 2 >= limit) {
      // Grow only when the limit was being used: an idle deployment has shown nothing about higher loads.
      limit = Math.min(ceiling, limit + 1 / limit);
    }
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized int limit() {
    return (int) limit;
  }
}
