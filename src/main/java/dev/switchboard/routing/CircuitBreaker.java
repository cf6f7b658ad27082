package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Passive health of one deployment: trips (ejects the deployment) on consecutive failures, on an error rate over a
 * sliding window, or at once on a connection-level failure; stays open for an ejection time that doubles with each
 * consecutive ejection; then lets exactly one probe request through (half-open), which closes it on success or
 * re-opens it for longer on failure.
 *
 * <p>Thread-safe. Every request of every event loop passes through its deployment's breaker, so the healthy path
 * takes no lock: a volatile read of the state, and counts in atomic buckets. State changes (rare) synchronize on
 * the breaker.
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
  /** Per bucket: the bucket's epoch in the high bits, its count in the low {@value #COUNT_BITS}. */
  private final AtomicLongArray requests = new AtomicLongArray(BUCKETS);
  private final AtomicLongArray failures = new AtomicLongArray(BUCKETS);
  private static final int COUNT_BITS = 24;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

  private volatile State state = State.CLOSED;
  private volatile int consecutive;
  private int ejections;
  private long openUntil;
  private long closedSince;
  private boolean probeInFlight;
  private volatile java.util.function.LongConsumer tripped = nanos -> {};
  private volatile Runnable closed = () -> {};

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
  boolean tryAcquire() {
    return state == State.CLOSED || tryAcquireSlow();
  }

  private synchronized boolean tryAcquireSlow() {
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
  boolean isOpen() {
    return state != State.CLOSED && isOpenSlow();
  }

  private synchronized boolean isOpenSlow() {
    return state == State.OPEN && ticker.read() - openUntil < 0 || state == State.HALF_OPEN && probeInFlight;
  }

  State state() {
    return state;
  }

  void onSuccess() {
    record(false);
    if (consecutive != 0) consecutive = 0;
    if (state != State.CLOSED) closeSlow();
  }

  private synchronized void closeSlow() {
    consecutive = 0;
    if (state != State.CLOSED) {
      state = State.CLOSED;
      probeInFlight = false;
      closedSince = ticker.read();
      closed.run();
    }
  }

  /**
   * Adds a listener told each time the breaker closes again (a probe succeeded); called under the breaker's lock on
   * the reporting thread (an event loop): it must be quick and must not block.
   */
  synchronized void onClose(Runnable listener) {
    Runnable before = this.closed;
    this.closed = () -> {
      before.run();
      listener.run();
    };
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

  /**
   * Adds a listener told of each trip (not of hints), with the ejection's length in nanoseconds; called under
   * the breaker's lock on the reporting thread (an event loop): it must be quick and must not block. Listeners add
   * up (shared health and the dashboard's event log both listen).
   */
  synchronized void onTrip(java.util.function.LongConsumer listener) {
    this.tripped = this.tripped.andThen(listener);
  }

  /**
   * Another instance ejected this deployment for {@code ejectNanos}: eject it here too for that long, unless it is
   * ejected already. A hint does not count as an ejection of this breaker (no doubling), and ends like any
   * ejection, with one probe: so it never keeps a healthy deployment out past its time.
   */
  synchronized void hint(long ejectNanos) {
    if (state != State.CLOSED || ejectNanos <= 0) return;
    state = State.OPEN;
    openUntil = ticker.read() + Math.min(ejectNanos, settings.maxEjectNanos());
    probeInFlight = false;
    consecutive = 0;
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
    tripped.accept(eject);
  }

  private void record(boolean failure) {
    long epoch = Math.floorDiv(ticker.read(), bucketNanos);
    int i = (int) Math.floorMod(epoch, BUCKETS);
    increment(requests, i, epoch);
    if (failure) increment(failures, i, epoch);
  }

  /** Counts one in bucket {@code i}, starting it afresh when it still holds an older epoch's count. */
  private static void increment(AtomicLongArray buckets, int i, long epoch) {
    while (true) {
      long v = buckets.get(i);
      long count = (v >>> COUNT_BITS) == epoch ? Math.min(COUNT_MASK, (v & COUNT_MASK) + 1) : 1;
      if (buckets.compareAndSet(i, v, epoch << COUNT_BITS | count)) return;
    }
  }

  private static long sum(AtomicLongArray buckets, long epoch) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long v = buckets.get(i);
      if (epoch - (v >>> COUNT_BITS) < BUCKETS) total += v & COUNT_MASK;
    }
    return total;
  }

  private boolean errorRateExceeded(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    long n = sum(requests, epoch);
    return n >= settings.minRequests() && sum(failures, epoch) >= settings.errorRate() * n;
  }
}
