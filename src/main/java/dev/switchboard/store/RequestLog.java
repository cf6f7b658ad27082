package dev.switchboard.store;

import dev.switchboard.store.Store.RequestContent;
import dev.switchboard.store.Store.RequestQuery;
import dev.switchboard.store.Store.RequestRow;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The request log's SQL, the same for SQLite and PostgreSQL: both stores hand it a connection. */
final class RequestLog {
  private static final String COLUMNS = "request_id, at_ms, endpoint, front_door, key_id, team_id, model, deployment, "
      + "provider, region, stream, status, outcome, attempts, input_tokens, output_tokens, cache_read_tokens, "
      + "cache_write_tokens, reasoning_tokens, estimated, cost_usd, duration_ms, first_byte_ms";

  private RequestLog() {}

  static List<RequestRow> requests(Connection c, RequestQuery q) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM usage WHERE at_ms >= ? AND at_ms < ?");
    List<Object> args = new ArrayList<>(List.of(q.fromMillis(), q.toMillis()));
    Where.equal(sql, args, "key_id", q.keyId());
    Where.equal(sql, args, "team_id", q.teamId());
    Where.equal(sql, args, "model", q.model());
    Where.equal(sql, args, "deployment", q.deployment());
    if (q.statusFrom() > 0 || q.statusTo() < 999) {
      sql.append(" AND status BETWEEN ? AND ?");
      args.add(q.statusFrom());
      args.add(q.statusTo());
    }
    Where.equal(sql, args, "outcome", q.outcome());
    if (q.before() != null) {
      // Keyset paging on (at_ms, request_id), the order of the list: stable while new requests arrive.
      sql.append(" AND (at_ms < (SELECT at_ms FROM usage WHERE request_id = ?) OR (at_ms = (SELECT at_ms FROM usage "
          + "WHERE request_id = ?) AND request_id < ?))");
      args.add(q.before());
      args.add(q.before());
      args.add(q.before());
    }
    sql.append(" ORDER BY at_ms DESC, request_id DESC LIMIT ?");
    args.add(q.limit());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
      List<RequestRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(row(rs));
      }
      return out;
    }
  }

  static RequestRow request(Connection c, String requestId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM usage WHERE request_id = ?")) {
      ps.setString(1, requestId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  static RequestContent content(Connection c, String requestId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT request_id, at_ms, request, request_truncated, answer, "
        + "answer_truncated FROM request_content WHERE request_id = ?")) {
      ps.setString(1, requestId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new RequestContent(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getBoolean(4),
            rs.getString(5), rs.getBoolean(6)) : null;
      }
    }
  }

  /** @param insert the dialect's insert-unless-present statement with the six columns in order */
  static void recordContent(Connection c, String insert, List<RequestContent> contents, boolean booleans)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (RequestContent r : contents) {
        ps.setString(1, r.requestId());
        ps.setLong(2, r.atMillis());
        ps.setString(3, r.request());
        if (booleans) ps.setBoolean(4, r.requestTruncated());
        else ps.setInt(4, r.requestTruncated() ? 1 : 0);
        ps.setString(5, r.answer());
        if (booleans) ps.setBoolean(6, r.answerTruncated());
        else ps.setInt(6, r.answerTruncated() ? 1 : 0);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static RequestRow row(ResultSet rs) throws SQLException {
    String cost = rs.getString(21);
    return new RequestRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getBoolean(11),
        rs.getInt(12), rs.getString(13), rs.getInt(14), longOrNull(rs, 15), longOrNull(rs, 16), longOrNull(rs, 17),
        longOrNull(rs, 18), longOrNull(rs, 19), rs.getBoolean(20),
        // PostgreSQL keeps NUMERIC(30,10): trailing zeros are not part of the price.
        cost == null ? null : plain(new BigDecimal(cost)), rs.getLong(22), longOrNull(rs, 23));
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static Long longOrNull(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }
}
