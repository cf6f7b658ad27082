package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Passive health of one deployment: trips (ejects the deployment) on consecutive failures, on an error rate over a
 * sliding window, or at once on a connection-level failure; stays open for an ejection time that doubles with each
 * consecutive ejection; then lets exactly one probe request through (half-open), which closes it on success or
 * re-opens it for longer on failure.
 *
 * <p>Thread-safe: every method synchronizes on the breaker. Contention is per deployment and the critical sections
 * are a few field updates, cheaper than a lock-free state machine would be to get right.
 */
final class CircuitBreaker {
  enum State { CLOSED, OPEN, HALF_OPEN }

  /**
   * @param consecutiveFailures failures in a row that trip the breaker
   * @param errorRate the failure ratio over the window that trips it, once the window has {@code minRequests}
   * @param windowNanos the sliding window's length (kept as ten buckets)
   * @param baseEjectNanos the first ejection's length; each further consecutive ejection doubles it
   * @param maxEjectNanos the longest ejection
   */
  record Settings(int consecutiveFailures, double errorRate, int minRequests, long windowNanos, long baseEjectNanos,
      long maxEjectNanos) {
    static final Settings DEFAULT = new Settings(5, 0.5, 20, TimeUnit.SECONDS.toNanos(10),
        TimeUnit.MILLISECONDS.toNanos(1000), TimeUnit.SECONDS.toNanos(60));
  }

  private static final int BUCKETS = 10;

  private final Settings settings;
  private final Ticker ticker;
  private final long bucketNanos;
  private final long[] bucketEpoch = new long[BUCKETS];
  private final int[] bucketRequests = new int[BUCKETS];
  private final int[] bucketFailures = new int[BUCKETS];

  private State state = State.CLOSED;
  private int consecutive;
  private int ejections;
  private long openUntil;
  private long closedSince;
  private boolean probeInFlight;

  CircuitBreaker(Settings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
    this.bucketNanos = Math.max(1, settings.windowNanos() / BUCKETS);
    this.closedSince = ticker.read();
  }

  /**
   * Whether a request may go to the deployment now. In the half-open state the first caller gets the probe and
   * must report its outcome; everyone else is refused until it does.
   */
  synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (ticker.read() - openUntil < 0) return false;
        state = State.HALF_OPEN;
        probeInFlight = true;
        return true;
      default:
        if (probeInFlight) return false;
        probeInFlight = true;
        return true;
    }
  }

  /** Whether the deployment is currently ejected, without taking the probe. */
  synchronized boolean isOpen() {
    return state == State.OPEN && ticker.read() - openUntil < 0 || state == State.HALF_OPEN && probeInFlight;
  }

  synchronized State state() {
    return state;
  }

  synchronized void onSuccess() {
    record(false);
    consecutive = 0;
    if (state != State.CLOSED) {
      state = State.CLOSED;
      probeInFlight = false;
      closedSince = ticker.read();
    }
  }

  /**
   * @param connectionLevel refused, reset, TLS or DNS failure: the deployment is unreachable, so it is ejected
   *     at once rather than after {@code consecutiveFailures} more clients have paid for finding out
   */
  synchronized void onFailure(boolean connectionLevel) {
    long now = ticker.read();
    record(true);
    consecutive++;
    if (state == State.HALF_OPEN) {
      trip(now);
      return;
    }
    if (state == State.OPEN) return; // a request admitted before the trip, reporting late
    if (connectionLevel || consecutive >= settings.consecutiveFailures() || errorRateExceeded(now)) trip(now);
  }

  /** A request admitted as the probe ended without an answer either way (the client left): let another probe. */
  synchronized void onAbandoned() {
    if (state == State.HALF_OPEN) probeInFlight = false;
  }

  private void trip(long now) {
    if (state == State.CLOSED && now - closedSince > settings.maxEjectNanos()) ejections = 0; // healthy long enough
    ejections++;
    long eject = settings.baseEjectNanos() << Math.min(ejections - 1, 30);
    if (eject <= 0 || eject > settings.maxEjectNanos()) eject = settings.maxEjectNanos();
    state = State.OPEN;
    openUntil = now + eject;
    probeInFlight = false;
    consecutive = 0;
  }

  private void record(boolean failure) {
    long epoch = Math.floorDiv(ticker.read(), bucketNanos);
    int i = (int) Math.floorMod(epoch, BUCKETS);
    if (bucketEpoch[i] != epoch) {
      bucketEpoch[i] = epoch;
      bucketRequests[i] = 0;
      bucketFailures[i] = 0;
    }
    bucketRequests[i]++;
    if (failure) bucketFailures[i]++;
  }

  private boolean errorRateExceeded(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    int requests = 0;
    int failures = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (epoch - bucketEpoch[i] < BUCKETS) {
        requests += bucketRequests[i];
        failures += bucketFailures[i];
      }
    }
    return requests >= settings.minRequests() && failures >= settings.errorRate() * requests;
  }
}
