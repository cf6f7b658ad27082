package dev.switchboard.access;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeRecord;

/**
 * Requests per minute, tokens per minute and concurrent requests, per key and per team. Thread-safe, lock-free on
 * the request path. (Skeleton: admits everything until the rate limits are built.)
 */
public final class RateLimiter {
  /** What one admitted exchange holds; given back when it ends. */
  interface Permit {
    /** The exchange ended: frees its concurrency slot and corrects its token count by the actual usage. */
    void ended(ExchangeRecord record);

    /** Admission refused the exchange after the limiter let it in (its budget said no): undo the count. */
    void cancel();
  }

  private static final Permit NONE = new Permit() {
    @Override
    public void ended(ExchangeRecord record) {}

    @Override
    public void cancel() {}
  };

  /** True when some limit of this caller counts tokens, so admission must estimate them. */
  boolean countsTokens(Principal p) {
    return p.key().limits().tpm() != null || (p.team() != null && p.team().limits().tpm() != null);
  }

  /**
   * Counts the exchange against its key's and team's limits, and puts the rate-limit headers on its response.
   *
   * @param estimate null unless {@link #countsTokens} said so
   * @throws Refusal a 429 naming the limit, with Retry-After
   */
  Permit acquire(Exchange exchange, Principal p, Estimate estimate) {
    return NONE;
  }
}
