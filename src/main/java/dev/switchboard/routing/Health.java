package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The live state of one upstream deployment (a provider and an upstream model id), shared by every logical model
 * that routes to it: its breaker, its concurrency limit and its latency averages. Thread-safe: each part is.
 */
final class Health {
  private static final long HALF_LIFE = TimeUnit.SECONDS.toNanos(30);
  /** Where the adaptive limit starts when no fixed one is configured; AIMD moves it from there. */
  private static final int INITIAL_LIMIT = 256;
  private static final int UNLIMITED = 100_000;

  final CircuitBreaker breaker;
  final AdaptiveLimit limit;
  /** Milliseconds from sending the request to the upstream's answer head. */
  final Ewma timeToFirstByte;
  /** Output tokens per second over whole answers. */
  final Ewma tokensPerSecond;
  /**
   * Attempts ended, by result ({@code RequestAttempts.Result} ordinal): read by {@code /metrics} at scrape time, so
   * the request path only adds one.
   */
  final java.util.concurrent.atomic.LongAdder[] attempts = HealthReadout.counters();

  Health(int maxConcurrency, Ticker ticker) {
    breaker = new CircuitBreaker(CircuitBreaker.Settings.DEFAULT, ticker);
    int ceiling = maxConcurrency > 0 ? maxConcurrency : UNLIMITED;
    limit = new AdaptiveLimit(Math.min(ceiling, maxConcurrency > 0 ? maxConcurrency : INITIAL_LIMIT), 1, ceiling);
    timeToFirstByte = new Ewma(HALF_LIFE, ticker);
    tokensPerSecond = new Ewma(HALF_LIFE, ticker);
  }
}
