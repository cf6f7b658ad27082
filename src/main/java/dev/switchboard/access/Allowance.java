package dev.switchboard.access;

/**
 * The rate-limit state of one key or one team: two token buckets (requests and tokens) and an in-flight count.
 *
 * <p>A bucket's capacity is its per-minute limit, and it refills continuously at limit/60 per second, so a client
 * that has been idle for a minute may spend the whole limit at once, and one that keeps to the rate is never
 * refused. The buckets count what is <em>used</em> in token units, not time, so a limit raised or lowered by
 * {@code keys update} applies to the next request at once: 3 requests used of 3 become 3 used of 100. The token
 * bucket may run into debt when a request's actual usage exceeds what it was admitted on; later requests then wait
 * until the debt has drained. Requests in flight are counted only while a concurrency limit is set, so a limit
 * newly set counts the requests admitted after it.
 *
 * <p>Thread-safe: each method is one short critical section on this object (a few additions, no allocation on
 * success), which the event loops enter concurrently only for the same key or team. Limits are passed in on every
 * call, never kept, so the state follows the key's current settings.
 */
final class Allowance {
  /**
   * Bucket units per request or token. A bucket with a per-minute limit {@code L} holds {@code L * UNIT} units and
   * refills {@code L} units per microsecond, so the arithmetic stays in exact longs: no rounding drift, and no
   * overflow below 10^11 tokens of debt.
   */
  static final long UNIT = 60_000_000L;
  private static final long NANOS_PER_MICRO = 1_000L;

  /** The dimension that refused a request. */
  enum Dimension { REQUESTS, TOKENS, CONCURRENCY }

  /**
   * Why a request does not fit now.
   *
   * @param waitMicros how long until it would fit, all else equal; -1 when it never can (it exceeds the whole limit)
   *     or when it cannot be known (a concurrency slot frees when a request ends)
   * @param left what is left of the limit now
   */
  record Shortfall(Dimension dimension, long limit, long needed, long left, long waitMicros) {
    boolean never() {
      return dimension == Dimension.TOKENS && needed > limit;
    }
  }

  private long requestsUsed;
  private long tokensUsed;
  private int inFlight;
  private long lastNanos;

  Allowance(long nowNanos) {
    this.lastNanos = nowNanos;
  }

  /**
   * Counts one request of {@code tokens} (estimated) against every limit {@code limits} sets, all or none. Then,
   * when {@code out} is not null, writes what is left into it from {@code at}: for requests, then for tokens, the
   * limit (-1 when not set), what is left, and microseconds until the bucket is full again (as an idle client would
   * see it).
   *
   * @return null when it was counted; otherwise the dimension that waits longest (one that can never fit first)
   */
  synchronized Shortfall take(Limits limits, long tokens, long nowNanos, long[] out, int at) {
    refill(limits, nowNanos);
    Shortfall worst = null;
    Integer rpm = limits.rpm();
    if (rpm != null && requestsUsed + UNIT > rpm * UNIT) {
      worst = new Shortfall(Dimension.REQUESTS, rpm, 1, left(requestsUsed, rpm),
          ceilDiv(requestsUsed + UNIT - rpm * UNIT, rpm));
    }
    Integer tpm = limits.tpm();
    if (tpm != null && tokensUsed + tokens * UNIT > tpm * UNIT) {
      long wait = tokens > tpm ? -1 : ceilDiv(tokensUsed + tokens * UNIT - tpm * UNIT, tpm);
      Shortfall s = new Shortfall(Dimension.TOKENS, tpm, tokens, left(tokensUsed, tpm), wait);
      if (worst == null || s.never() || s.waitMicros() > worst.waitMicros()) worst = s;
    }
    Integer concurrency = limits.concurrency();
    if (concurrency != null && inFlight >= concurrency && worst == null) {
      worst = new Shortfall(Dimension.CONCURRENCY, concurrency, 1, 0, -1);
    }
    if (worst == null) {
      if (rpm != null) requestsUsed += UNIT;
      if (tpm != null) tokensUsed += tokens * UNIT;
      if (concurrency != null) inFlight++;
    }
    if (out != null) {
      view(rpm, requestsUsed, out, at);
      view(tpm, tokensUsed, out, at + 3);
    }
    return worst;
  }

  /**
   * Undoes a {@link #take} that {@code limits} (as they were then) counted, minus what has refilled since: the
   * buckets never go below empty.
   */
  synchronized void untake(Limits limits, long tokens, long nowNanos) {
    refill(limits, nowNanos);
    if (limits.rpm() != null) requestsUsed = Math.max(0, requestsUsed - UNIT);
    if (limits.tpm() != null) tokensUsed = Math.max(0, tokensUsed - tokens * UNIT);
    if (limits.concurrency() != null) inFlight--;
  }

  /**
   * A counted request ended: frees its concurrency slot and moves the token bucket by {@code tokenDelta} (actual
   * minus estimate; positive takes more, into debt if need be, negative gives back).
   */
  synchronized void ended(Limits limits, long tokenDelta, long nowNanos) {
    refill(limits, nowNanos); // first, so that debt is added to the bucket as it is now, not as it was
    if (limits.tpm() != null && tokenDelta != 0) tokensUsed = Math.max(0, tokensUsed + tokenDelta * UNIT);
    if (limits.concurrency() != null) inFlight--;
  }

  private static void view(Integer limit, long used, long[] out, int at) {
    out[at] = limit == null ? -1 : limit;
    out[at + 1] = limit == null ? 0 : left(used, limit);
    out[at + 2] = limit == null ? 0 : ceilDiv(used, limit);
  }

  private void refill(Limits limits, long nowNanos) {
    long micros = (nowNanos - lastNanos) / NANOS_PER_MICRO;
    if (micros <= 0) return;
    lastNanos += micros * NANOS_PER_MICRO; // keeps the sub-microsecond rest for the next refill
    requestsUsed = drain(requestsUsed, limits.rpm(), micros);
    tokensUsed = drain(tokensUsed, limits.tpm(), micros);
  }

  /** {@code used} after {@code micros} of refill at {@code limit} units per microsecond; a dropped limit empties it. */
  private static long drain(long used, Integer limit, long micros) {
    if (limit == null || used == 0) return 0;
    // Compared before multiplying, so that a long idle time cannot overflow.
    return micros > used / limit ? 0 : used - micros * limit;
  }

  private static long left(long used, long limit) {
    return Math.max(0, limit - ceilDiv(used, UNIT));
  }

  private static long ceilDiv(long a, long b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
