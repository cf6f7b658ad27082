package dev.switchboard.metering;

import dev.switchboard.store.SqliteStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The usage table of a gateway's store, read with plain JDBC as an operator would read the file: the test's view of
 * what was metered, independent of the store's own query methods.
 */
final class UsageRows {
  /** One row of {@code usage}; token columns are 0 where the row has NULL. */
  record Row(String requestId, long atMillis, String endpoint, String frontDoor, String model, String deployment,
      String provider, String region, boolean stream, int status, String outcome, int attempts, long input,
      long output, long cacheRead, long cacheWrite, long reasoning, boolean estimated, BigDecimal cost,
      long durationMs, Long firstByteMs, String keyId, String teamId) {}

  private UsageRows() {}

  static List<Row> read(Path home) {
    String url = "jdbc:sqlite:" + home.resolve(SqliteStore.FILE).toAbsolutePath();
    List<Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id, at_ms, endpoint, front_door, model, deployment, provider, "
            + "region, stream, status, outcome, attempts, input_tokens, output_tokens, cache_read_tokens, "
            + "cache_write_tokens, reasoning_tokens, estimated, cost_usd, duration_ms, first_byte_ms, key_id, team_id "
            + "FROM usage ORDER BY at_ms, request_id")) {
      while (rs.next()) {
        String cost = rs.getString(19);
        long firstByte = rs.getLong(21);
        Long firstByteMs = rs.wasNull() ? null : firstByte;
        rows.add(new Row(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9) == 1, rs.getInt(10), rs.getString(11),
            rs.getInt(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getLong(17),
            rs.getInt(18) == 1, cost == null ? null : new BigDecimal(cost), rs.getLong(20), firstByteMs,
            rs.getString(22), rs.getString(23)));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + url + ": " + e.getMessage(), e);
    }
  }
}
