package dev.switchboard.admin;

import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.ExchangeRecord;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The dashboard's live numbers: requests, errors, tokens and latency histograms per second over the last two
 * minutes, kept in memory so that {@code GET /admin/overview} costs no ledger scan. One slot per second in a ring;
 * {@link #ended} does a few atomic adds and no allocation, lock or formatting, so it can sit on the request path.
 * A slot is reused when its second comes round again; a record racing with that reset can be lost, which is fine for
 * a dashboard (the ledger stays exact). Thread-safe.
 */
public final class Pulse implements ExchangeObserver {
  /** The longest window {@link #snapshot} answers for, in seconds. */
  public static final int MAX_WINDOW = 120;
  private static final int SLOTS = 128; // a power of two above MAX_WINDOW
  private static final int BUCKETS = 72; // quarter powers of two of milliseconds: 1 ms .. 3.7 min
  private static final int SECOND = 0;
  private static final int REQUESTS = 1;
  private static final int ERRORS = 2;
  private static final int TOKENS = 3;
  private static final int OUTPUT_TOKENS = 4;
  private static final int FIRST_BYTES = 5;
  private static final int DURATION = 6;
  private static final int FIRST_BYTE = DURATION + BUCKETS;
  private static final int FIELDS = FIRST_BYTE + BUCKETS;

  private final InstantSource clock;
  private final AtomicLongArray[] slots = new AtomicLongArray[SLOTS];

  public Pulse(InstantSource clock) {
    this.clock = clock;
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = new AtomicLongArray(FIELDS);
      slots[i].set(SECOND, -1);
    }
  }

  @Override
  public void ended(ExchangeRecord r) {
    switch (r.endpoint()) {
      case "admin", "models", "unknown" -> {
        return; // model traffic only: the dashboard's own polling is not load
      }
      default -> {
        // counted
      }
    }
    long second = clock.millis() / 1000;
    AtomicLongArray s = slots[(int) (second & (SLOTS - 1))];
    long held = s.get(SECOND);
    if (held != second) {
      if (held > second || !s.compareAndSet(SECOND, held, second)) {
        if (s.get(SECOND) != second) return; // the clock stepped back, or another thread holds a newer second
      } else {
        for (int i = 1; i < FIELDS; i++) s.set(i, 0);
      }
    }
    s.incrementAndGet(REQUESTS);
    if (r.status() >= 400) s.incrementAndGet(ERRORS);
    if (r.usage() != null) {
      s.addAndGet(TOKENS, r.usage().inputTokens() + r.usage().outputTokens());
      s.addAndGet(OUTPUT_TOKENS, r.usage().outputTokens());
    }
    s.incrementAndGet(DURATION + bucket(r.durationNanos()));
    if (r.firstByteNanos() > 0) {
      s.incrementAndGet(FIRST_BYTES);
      s.incrementAndGet(FIRST_BYTE + bucket(r.firstByteNanos()));
    }
  }

  /** The bucket of a duration: the smallest {@code i} with {@code nanos <= 2^(i/4)} ms. */
  static int bucket(long nanos) {
    double ms = nanos / 1e6;
    if (ms <= 1) return 0;
    return (int) Math.min(BUCKETS - 1, Math.ceil(4 * Math.log(ms) / Math.log(2)));
  }

  /** A bucket's upper bound in milliseconds: what a percentile falling in it is reported as. */
  static long upper(int bucket) {
    return Math.round(Math.pow(2, bucket / 4.0));
  }

  /**
   * Sums over the last {@code window} seconds, this one included, as the overview's JSON fields.
   *
   * @param window 1 to {@link #MAX_WINDOW}
   */
  public Map<String, Object> snapshot(int window) {
    if (window < 1 || window > MAX_WINDOW) {
      throw new IllegalArgumentException("window must be 1 to " + MAX_WINDOW + " seconds, not " + window);
    }
    long now = clock.millis() / 1000;
    long[] sum = new long[FIELDS];
    for (long sec = now - window + 1; sec <= now; sec++) {
      AtomicLongArray s = slots[(int) (sec & (SLOTS - 1))];
      if (s.get(SECOND) != sec) continue;
      for (int i = 1; i < FIELDS; i++) sum[i] += s.get(i);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("window_seconds", window);
    m.put("requests", sum[REQUESTS]);
    m.put("requests_per_second", round(sum[REQUESTS] / (double) window));
    m.put("errors", sum[ERRORS]);
    m.put("error_rate", sum[REQUESTS] == 0 ? 0.0 : round(sum[ERRORS] / (double) sum[REQUESTS]));
    m.put("tokens_per_second", round(sum[TOKENS] / (double) window));
    m.put("output_tokens_per_second", round(sum[OUTPUT_TOKENS] / (double) window));
    m.put("latency_ms", percentiles(sum, DURATION, sum[REQUESTS]));
    m.put("time_to_first_byte_ms", percentiles(sum, FIRST_BYTE, sum[FIRST_BYTES]));
    return m;
  }

  private static Map<String, Object> percentiles(long[] sum, int from, long count) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50", percentile(sum, from, count, 0.50));
    m.put("p99", percentile(sum, from, count, 0.99));
    return m;
  }

  private static Long percentile(long[] sum, int from, long count, double q) {
    if (count == 0) return null;
    long rank = (long) Math.ceil(q * count);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += sum[from + i];
      if (seen >= rank) return upper(i);
    }
    return upper(BUCKETS - 1);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
