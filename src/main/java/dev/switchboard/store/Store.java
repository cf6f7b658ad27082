package dev.switchboard.store;

import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.exchange.ExchangeRecord;
import java.math.BigDecimal;
import java.util.List;

/**
 * Where Switchboard keeps what must outlive the process. The embedded implementation is one SQLite file under the
 * state directory ({@link SqliteStore}); a shared PostgreSQL one will satisfy the same contract. Methods block:
 * call them from worker threads, never from an event loop. Thread-safe.
 */
public interface Store extends AutoCloseable {
  /**
   * Records the usage of finished exchanges, atomically: all of them or none. A record whose request id is
   * already stored is ignored, so a batch written again after a crash counts once. Each row is dated by its record's
   * {@code endedMillis}, else {@code atMillis}.
   */
  void recordUsage(List<ExchangeRecord> records, long atMillis);

  /** Totals over every recorded request of {@code model} (all models when null). */
  UsageTotals usage(String model);

  /** Exact sums; {@code costUsd} as a plain decimal string. */
  record UsageTotals(long requests, long inputTokens, long outputTokens, long cacheReadTokens,
      long cacheWriteTokens, String costUsd) {}

  /** Inserts or replaces a team. @throws StoreConflict when another team has its name */
  void saveTeam(Team team);

  /** Every team. */
  List<Team> teams();

  /** Inserts or replaces a key. @throws StoreConflict when its hash or access key id is taken */
  void saveKey(VirtualKey key);

  /** Every key, revoked ones included. */
  List<VirtualKey> keys();

  /**
   * What one key or one team has spent since {@code fromMillis}, exactly, from the usage ledger: how budgets are
   * rebuilt at start.
   *
   * @param keyId the key, or null to sum the team
   * @param teamId the team, used when keyId is null
   */
  BigDecimal spentSince(String keyId, String teamId, long fromMillis);

  /** A write that broke a uniqueness rule; the message names the field. */
  final class StoreConflict extends RuntimeException {
    public StoreConflict(String message) {
      super(message);
    }
  }

  @Override
  void close();
}
