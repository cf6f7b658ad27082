package dev.switchboard.store;

import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.exchange.ExchangeRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where Switchboard keeps what must outlive the process. The embedded implementation is one SQLite file under the
 * state directory ({@link SqliteStore}); the shared one is PostgreSQL ({@link PostgresStore}). Methods block:
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

  /**
   * Usage summed by the query's dimensions over its time range and filters, ordered by the dimensions. Token counts
   * are exact sums; costs are summed as exact decimals.
   */
  List<UsageRow> usage(UsageQuery query);

  /**
   * What usage can be summed by. {@code DAY} is the UTC calendar day the record was written ({@code 2026-03-01}),
   * {@code HOUR} its UTC hour ({@code 2026-03-01T23:00Z}).
   */
  enum UsageGroup { KEY, TEAM, MODEL, DEPLOYMENT, PROVIDER, REGION, FRONT_DOOR, DAY, HOUR }

  /**
   * Which usage to sum, and by what.
   *
   * @param groupBy dimensions in output order; empty for a single total row
   * @param fromMillis first instant included (Unix milliseconds; 0 for the beginning)
   * @param toMillis first instant excluded ({@code Long.MAX_VALUE} for no end)
   * @param keyId only this key's requests, or null
   * @param teamId only this team's requests, or null
   * @param model only requests for this logical model, or null
   */
  record UsageQuery(List<UsageGroup> groupBy, long fromMillis, long toMillis, String keyId, String teamId,
      String model) {
    public UsageQuery {
      groupBy = List.copyOf(groupBy);
    }
  }

  /**
   * One group's sums.
   *
   * @param groups the group's value for each of the query's dimensions, in order; null where a record has none (the
   *     master key's requests have no key or team; requests refused before routing have no deployment)
   * @param errors requests that ended with an HTTP status of 400 or more
   * @param costUsd exact sum as a plain decimal string ({@code "0"} when nothing was priced)
   * @param estimated requests whose tokens are Switchboard's estimate (a stream cut before its usage arrived)
   */
  record UsageRow(List<String> groups, long requests, long errors, long inputTokens, long outputTokens,
      long cacheReadTokens, long cacheWriteTokens, long reasoningTokens, String costUsd, long estimated) {
    public UsageRow {
      groups = Collections.unmodifiableList(new ArrayList<>(groups)); // List.copyOf refuses the null values
    }
  }

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

  /**
   * Keeps the captured content of requests whose key logs content, atomically; a request id already stored is
   * ignored. The content is already redacted: a store never sees a secret the redactor knows.
   */
  default void recordContent(List<RequestContent> contents) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no request log");
  }

  /**
   * A request's prompt and answer, redacted, at most 64 KiB each.
   *
   * @param answer the answer's text (a stream's text deltas joined) or, when it could not be read as text, the body
   *     as sent
   */
  record RequestContent(String requestId, long atMillis, String request, boolean requestTruncated, String answer,
      boolean answerTruncated) {}

  /** The request log, newest first: rows of the usage ledger matching the query. */
  default List<RequestRow> requests(RequestQuery query) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no request log");
  }

  /** One request's ledger row, or null when there is none (yet: the Meter writes every 200 ms). */
  default RequestRow request(String requestId) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no request log");
  }

  /** One request's captured content, or null when none was captured. */
  default RequestContent content(String requestId) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no request log");
  }

  /**
   * Which requests to list.
   *
   * @param fromMillis first instant included (0 for the beginning)
   * @param toMillis first instant excluded ({@code Long.MAX_VALUE} for no end)
   * @param statusFrom lowest HTTP status included (0 for any)
   * @param statusTo highest HTTP status included (999 for any)
   * @param before only requests older than this request id (the last id of the previous page), or null
   * @param limit at most this many rows
   */
  record RequestQuery(long fromMillis, long toMillis, String keyId, String teamId, String model, String deployment,
      int statusFrom, int statusTo, String outcome, String before, int limit) {}

  /** One request of the ledger; token counts are null when no upstream answered. */
  record RequestRow(String requestId, long atMillis, String endpoint, String frontDoor, String keyId, String teamId,
      String model, String deployment, String provider, String region, boolean stream, int status, String outcome,
      int attempts, Long inputTokens, Long outputTokens, Long cacheReadTokens, Long cacheWriteTokens,
      Long reasoningTokens, boolean estimated, String costUsd, long durationMs, Long firstByteMs) {}

  /** A write that broke a uniqueness rule; the message names the field. */
  final class StoreConflict extends RuntimeException {
    public StoreConflict(String message) {
      super(message);
    }
  }

  /**
   * The store cannot be reached now (a database that is down or unreachable): the write or read may succeed later.
   * The message names the database, never its password.
   */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Whether the store answers now, for readiness checks: {@code detail} is one short line, no secrets. */
  record Health(boolean up, String detail) {}

  /** Checks the store; blocks for at most a few seconds. The embedded store is up while the process is. */
  default Health health() {
    return new Health(true, "embedded");
  }

  @Override
  void close();
}
