package dev.switchboard.store;

import java.util.List;

/** The optional filters of a ledger query, appended the same way by every store and query. */
final class Where {
  private Where() {}

  /** Appends {@code AND column = ?} and its argument when {@code value} is set; nothing when it is null. */
  static void equal(StringBuilder sql, List<? super String> args, String column, String value) {
    if (value == null) return;
    sql.append(" AND ").append(column).append(" = ?");
    args.add(value);
  }
}
