package dev.switchboard.store;

import dev.switchboard.exchange.ExchangeRecord;
import java.util.List;

/**
 * Where Switchboard keeps what must outlive the process. The embedded implementation is one SQLite file under the
 * state directory ({@link SqliteStore}); a shared PostgreSQL one will satisfy the same contract. Methods block:
 * call them from worker threads, never from an event loop. Thread-safe.
 */
public interface Store extends AutoCloseable {
  /**
   * Records the usage of finished exchanges, atomically: all of them or none. A record whose request id is
   * already stored is ignored, so a batch written again after a crash counts once.
   */
  void recordUsage(List<ExchangeRecord> records, long atMillis);

  /** Totals over every recorded request of {@code model} (all models when null). */
  UsageTotals usage(String model);

  /** Exact sums; {@code costUsd} as a plain decimal string. */
  record UsageTotals(long requests, long inputTokens, long outputTokens, long cacheReadTokens,
      long cacheWriteTokens, String costUsd) {}

  @Override
  void close();
}
