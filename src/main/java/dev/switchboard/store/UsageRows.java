package dev.switchboard.store;

import dev.switchboard.store.Store.UsageRow;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a grouped usage query and reads its rows, the same for every store: the group columns first, then requests,
 * errors, the five token sums, the estimated count and the cost, which each dialect sums its own way.
 */
final class UsageRows {
  /** The cost column as an exact decimal string: PostgreSQL sums NUMERIC itself, SQLite hands back the parts. */
  @FunctionalInterface
  interface Cost {
    String read(ResultSet rs, int column) throws SQLException;
  }

  private UsageRows() {}

  static List<UsageRow> read(PreparedStatement ps, long fromMillis, long toMillis, List<String> args, int groups,
      Cost cost) throws SQLException {
    int i = 1;
    ps.setLong(i++, fromMillis);
    ps.setLong(i++, toMillis);
    for (String a : args) ps.setString(i++, a);
    List<UsageRow> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        List<String> values = new ArrayList<>(groups);
        for (int d = 1; d <= groups; d++) values.add(rs.getString(d));
        int c = groups + 1;
        long requests = rs.getLong(c);
        if (requests == 0) continue; // an aggregate without GROUP BY returns one row even over no records
        out.add(new UsageRow(values, requests, rs.getLong(c + 1), rs.getLong(c + 2), rs.getLong(c + 3),
            rs.getLong(c + 4), rs.getLong(c + 5), rs.getLong(c + 6), cost.read(rs, c + 8), rs.getLong(c + 7)));
      }
    }
    return out;
  }
}
