package dev.switchboard.store;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;

/**
 * One usage row in PostgreSQL's COPY CSV format, in {@code PostgresStore}'s column order. Every value is quoted, so
 * commas, quotes and line breaks in it are safe; an absent value is an unquoted empty field, which COPY reads as NULL.
 */
final class UsageCsv {
  private UsageCsv() {}

  static void append(StringBuilder csv, ExchangeRecord r, long atMillis) {
    Usage u = r.usage();
    field(csv, r.requestId());
    field(csv, r.endedMillis() > 0 ? r.endedMillis() : atMillis);
    field(csv, r.endpoint());
    field(csv, r.model());
    field(csv, r.deployment());
    field(csv, r.provider());
    field(csv, r.region());
    field(csv, r.stream());
    field(csv, r.status());
    field(csv, r.outcome());
    field(csv, r.attempts());
    field(csv, u == null ? null : u.inputTokens());
    field(csv, u == null ? null : u.outputTokens());
    field(csv, u == null ? null : u.cacheReadTokens());
    field(csv, u == null ? null : u.cacheWriteTokens());
    field(csv, u == null ? null : u.reasoningTokens());
    field(csv, u != null && u.estimated());
    field(csv, r.cost() == null ? null : r.cost().toPlainString());
    field(csv, r.durationNanos() / 1_000_000);
    field(csv, r.firstByteNanos() < 0 ? null : r.firstByteNanos() / 1_000_000);
    field(csv, r.keyId());
    field(csv, r.teamId());
    csv.append(quoted(r.frontDoor())).append('\n');
  }

  private static void field(StringBuilder csv, Object v) {
    csv.append(quoted(v)).append(',');
  }

  private static String quoted(Object v) {
    if (v == null) return "";
    String s = v.toString();
    return s.indexOf('"') < 0 ? "\"" + s + "\"" : "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
