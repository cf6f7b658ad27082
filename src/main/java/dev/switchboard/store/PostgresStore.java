package dev.switchboard.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;

/**
 * The shared store: PostgreSQL through a HikariCP pool, its schema migrated by Flyway from {@code db/postgresql} at
 * open (Flyway's lock makes instances that start together migrate once). Many instances write the same usage ledger;
 * a request id counts once whichever instance, or replay, writes it. Batches go in by COPY ({@link Writes}). Costs
 * are NUMERIC, so sums are exact in SQL.
 *
 * <p>A failure to reach the database is thrown as {@link Store.Unavailable}, so that callers can tell an outage (the
 * metering spool takes over, the admin API answers 503) from a mistake.
 */
public final class PostgresStore implements Store {
  /** Rows per INSERT statement: 23 parameters each, under PostgreSQL's 32,767 parameters per statement. */
  private static final int ROWS_PER_STATEMENT = 1000;
  private static final String COLUMNS = "request_id, at_ms, endpoint, model, deployment, provider, region, stream, "
      + "status, outcome, attempts, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
      + "reasoning_tokens, estimated, cost_usd, duration_ms, first_byte_ms, key_id, team_id, front_door";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * How usage batches are written; both ignore a request id already stored. {@link #COPY} is what the store uses:
   * {@code bench/ledger} measures both (docs/benchmarks.md), and COPY was as fast or faster in every run so far,
   * with one statement per batch whatever its size.
   */
  public enum Writes {
    /** COPY (CSV) into a session's temporary table, then {@code INSERT … SELECT … ON CONFLICT DO NOTHING}. */
    COPY,
    /** Multi-row {@code INSERT … VALUES (…), (…) … ON CONFLICT DO NOTHING}, up to 1,000 rows per statement. */
    INSERT
  }

  private final HikariDataSource pool;
  private final String where;
  private final Writes writes;
  private final String fullInsert;

  private PostgresStore(HikariDataSource pool, String where, Writes writes) {
    this.pool = pool;
    this.where = where;
    this.writes = writes;
    this.fullInsert = insert(ROWS_PER_STATEMENT);
  }

  /**
   * Connects, migrates the schema to the current version, and returns the store.
   *
   * @param url a {@code jdbc:postgresql://} URL
   * @param password may be null (trust or .pgpass authentication)
   * @throws Store.Unavailable when the database cannot be reached; the message names the URL without secrets
   */
  public static PostgresStore open(String url, String user, String password, int poolSize) {
    return open(url, user, password, poolSize, Writes.COPY);
  }

  /** Like {@link #open(String, String, String, int)}, writing usage the given way (for the benchmark). */
  public static PostgresStore open(String url, String user, String password, int poolSize, Writes writes) {
    String where = redacted(url);
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    if (user != null) c.setUsername(user);
    if (password != null) c.setPassword(password);
    c.setMaximumPoolSize(poolSize);
    c.setMinimumIdle(Math.min(2, poolSize));
    c.setPoolName("switchboard-store");
    // Short waits: a caller facing an outage should hear of it in seconds (the Meter spools, the admin API says 503)
    // rather than hold its thread for Hikari's default 30 s.
    c.setConnectionTimeout(2_000);
    c.setValidationTimeout(1_000);
    c.setInitializationFailTimeout(-1); // the first connection is made by the migration below, which reports it
    c.addDataSourceProperty("connectTimeout", "2");
    c.addDataSourceProperty("socketTimeout", "60");
    c.addDataSourceProperty("tcpKeepAlive", "true");
    HikariDataSource pool = new HikariDataSource(c);
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").load().migrate();
      return new PostgresStore(pool, where, writes);
    } catch (RuntimeException e) {
      pool.close();
      throw new Store.Unavailable("cannot open the PostgreSQL store at " + where + ": " + rootMessage(e), e);
    }
  }

  /** The URL without a password in its query ({@code ?password=…}) or its authority ({@code user:pass@}). */
  public static String redacted(String url) {
    if (url == null) return null;
    return url.replaceAll("(?i)([?&]password=)[^&]*", "$1***").replaceAll("//([^/@:]+):[^/@]*@", "//$1:***@");
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return String.valueOf(c.getMessage());
  }

  private static String insert(int rows) {
    StringBuilder sb = new StringBuilder("INSERT INTO usage (").append(COLUMNS).append(") VALUES ");
    for (int i = 0; i < rows; i++) sb.append(i == 0 ? "" : ", ").append(ROW);
    return sb.append(" ON CONFLICT (request_id) DO NOTHING").toString();
  }

  @Override
  public void recordUsage(List<ExchangeRecord> records, long atMillis) {
    if (records.isEmpty()) return;
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        // The Meter forgets a batch once this returns, so its commit must be durable even where the server trades
        // durability for speed (synchronous_commit = off loses the last commits in a crash).
        try (java.sql.Statement s = c.createStatement()) {
          s.execute("SET LOCAL synchronous_commit = on");
        }
        if (writes == Writes.COPY) copy(c, records, atMillis);
        else insert(c, records, atMillis);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // a lost connection fails this too; the original failure is the one to report
        }
        throw e;
      } // the pool restores auto-commit when the connection goes back
    } catch (SQLException e) {
      throw failure(e, "cannot record usage");
    }
  }

  private void insert(Connection c, List<ExchangeRecord> records, long atMillis) throws SQLException {
    for (int from = 0; from < records.size(); from += ROWS_PER_STATEMENT) {
      List<ExchangeRecord> chunk = records.subList(from, Math.min(records.size(), from + ROWS_PER_STATEMENT));
      try (PreparedStatement ps = c.prepareStatement(chunk.size() == ROWS_PER_STATEMENT ? fullInsert
          : insert(chunk.size()))) {
        int i = 1;
        for (ExchangeRecord r : chunk) i = bind(ps, i, r, atMillis);
        ps.executeUpdate();
      }
    }
  }

  /**
   * COPY cannot skip a row that conflicts, so the batch lands in a temporary table first (one per session, emptied
   * at every commit) and moves on from there.
   */
  private static void copy(Connection c, List<ExchangeRecord> records, long atMillis) throws SQLException {
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TEMPORARY TABLE IF NOT EXISTS usage_in (LIKE usage) ON COMMIT DELETE ROWS");
    }
    StringBuilder csv = new StringBuilder(records.size() * 256);
    for (ExchangeRecord r : records) UsageCsv.append(csv, r, atMillis);
    try {
      c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn("COPY usage_in (" + COLUMNS
          + ") FROM STDIN (FORMAT csv)", new java.io.StringReader(csv.toString()));
    } catch (java.io.IOException e) {
      throw new SQLException("cannot copy usage: " + e.getMessage(), "08006", e);
    }
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("INSERT INTO usage (" + COLUMNS + ") SELECT " + COLUMNS + " FROM usage_in "
          + "ON CONFLICT (request_id) DO NOTHING");
    }
  }

  private static int bind(PreparedStatement ps, int i, ExchangeRecord r, long atMillis) throws SQLException {
    Usage u = r.usage();
    ps.setString(i++, r.requestId());
    // The exchange's own end, so that a batch written late (from the spool) still counts in its day.
    ps.setLong(i++, r.endedMillis() > 0 ? r.endedMillis() : atMillis);
    ps.setString(i++, r.endpoint());
    ps.setString(i++, r.model());
    ps.setString(i++, r.deployment());
    ps.setString(i++, r.provider());
    ps.setString(i++, r.region());
    ps.setBoolean(i++, r.stream());
    ps.setInt(i++, r.status());
    ps.setString(i++, r.outcome());
    ps.setInt(i++, r.attempts());
    setLong(ps, i++, u == null ? null : u.inputTokens());
    setLong(ps, i++, u == null ? null : u.outputTokens());
    setLong(ps, i++, u == null ? null : u.cacheReadTokens());
    setLong(ps, i++, u == null ? null : u.cacheWriteTokens());
    setLong(ps, i++, u == null ? null : u.reasoningTokens());
    ps.setBoolean(i++, u != null && u.estimated());
    if (r.cost() == null) ps.setNull(i++, Types.NUMERIC);
    else ps.setBigDecimal(i++, r.cost());
    ps.setLong(i++, r.durationNanos() / 1_000_000);
    setLong(ps, i++, r.firstByteNanos() < 0 ? null : r.firstByteNanos() / 1_000_000);
    ps.setString(i++, r.keyId());
    ps.setString(i++, r.teamId());
    ps.setString(i++, r.frontDoor());
    return i;
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) ps.setNull(i, Types.BIGINT);
    else ps.setLong(i, v);
  }

  private static String plain(BigDecimal sum) {
    return sum == null || sum.signum() == 0 ? "0" : sum.stripTrailingZeros().toPlainString();
  }

  @Override
  public UsageTotals usage(String model) {
    String sql = "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
        + "coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0), sum(cost_usd) FROM usage"
        + (model == null ? "" : " WHERE model = ?");
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      if (model != null) ps.setString(1, model);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new UsageTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            plain(rs.getBigDecimal(6)));
      }
    } catch (SQLException e) {
      throw failure(e, "cannot read usage");
    }
  }

  @Override
  public List<UsageRow> usage(UsageQuery q) {
    List<String> dims = new ArrayList<>();
    for (UsageGroup g : q.groupBy()) dims.add(column(g));
    String select = dims.isEmpty() ? "" : String.join(", ", dims) + ", ";
    StringBuilder sql = new StringBuilder("SELECT ").append(select).append("count(*), "
        + "count(*) FILTER (WHERE status >= 400), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
        + "coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0), "
        + "coalesce(sum(reasoning_tokens), 0), count(*) FILTER (WHERE estimated), sum(cost_usd) "
        + "FROM usage WHERE at_ms >= ? AND at_ms < ?");
    List<String> args = new ArrayList<>();
    Where.equal(sql, args, "key_id", q.keyId());
    Where.equal(sql, args, "team_id", q.teamId());
    Where.equal(sql, args, "model", q.model());
    if (!dims.isEmpty()) {
      sql.append(" GROUP BY ").append(String.join(", ", dims)).append(" ORDER BY ");
      // Byte order with absent values first, as the embedded store sorts: the same query gives the same rows.
      for (int d = 0; d < dims.size(); d++) {
        sql.append(d == 0 ? "" : ", ").append(dims.get(d)).append(" COLLATE \"C\" NULLS FIRST");
      }
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      return UsageRows.read(ps, q.fromMillis(), q.toMillis(), args, dims.size(),
          (rs, col) -> plain(rs.getBigDecimal(col)));
    } catch (SQLException e) {
      throw failure(e, "cannot read usage");
    }
  }

  private static String column(UsageGroup g) {
    return switch (g) {
      case KEY -> "key_id";
      case TEAM -> "team_id";
      case MODEL -> "model";
      case DEPLOYMENT -> "deployment";
      case PROVIDER -> "provider";
      case REGION -> "region";
      case FRONT_DOOR -> "front_door";
      case DAY -> "to_char(to_timestamp(at_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
      case HOUR -> "to_char(to_timestamp(at_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\":00Z\"')";
    };
  }

  @Override
  public void saveTeam(Team team) {
    String sql = "INSERT INTO teams (id, name, spec, created_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "name = EXCLUDED.name, spec = EXCLUDED.spec";
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, team.id());
      ps.setString(2, team.name());
      ps.setString(3, Specs.write(new Specs.TeamSpec(team.limits(), team.budgets(), team.metadata(),
          team.logContent() ? Boolean.TRUE : null)));
      ps.setLong(4, team.createdMillis());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw conflictOr(e, "a team named '" + team.name() + "' already exists", "cannot save team");
    }
  }

  @Override
  public List<Team> teams() {
    List<Team> out = new ArrayList<>();
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, name, spec, created_ms FROM teams ORDER BY created_ms, id"); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Specs.TeamSpec spec = Specs.read(rs.getString(3), Specs.TeamSpec.class);
        out.add(new Team(rs.getString(1), rs.getString(2), spec.limits(), spec.budgets(), spec.metadata(),
            rs.getLong(4), spec.logsContent()));
      }
      return out;
    } catch (SQLException e) {
      throw failure(e, "cannot read teams");
    }
  }

  @Override
  public void saveKey(VirtualKey k) {
    String sql = "INSERT INTO keys (id, team_id, name, prefix, hash, spec, expires_ms, enabled, created_ms, "
        + "access_key_id, sealed_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "team_id = EXCLUDED.team_id, name = EXCLUDED.name, spec = EXCLUDED.spec, expires_ms = EXCLUDED.expires_ms, "
        + "enabled = EXCLUDED.enabled";
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, k.id());
      ps.setString(i++, k.teamId());
      ps.setString(i++, k.name());
      ps.setString(i++, k.prefix());
      ps.setString(i++, k.hash());
      ps.setString(i++, Specs.write(new Specs.KeySpec(k.models(), k.limits(), k.budgets(), k.metadata(),
          k.logContent() ? Boolean.TRUE : null)));
      setLong(ps, i++, k.expiresMillis());
      ps.setBoolean(i++, k.enabled());
      ps.setLong(i++, k.createdMillis());
      ps.setString(i++, k.accessKeyId());
      ps.setString(i++, k.sealedSecret());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw conflictOr(e, "that key or access key id is already taken; create the key again", "cannot save key");
    }
  }

  @Override
  public List<VirtualKey> keys() {
    List<VirtualKey> out = new ArrayList<>();
    String sql = "SELECT id, team_id, name, prefix, hash, spec, expires_ms, enabled, created_ms, access_key_id, "
        + "sealed_secret FROM keys ORDER BY created_ms, id";
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Specs.KeySpec spec = Specs.read(rs.getString(6), Specs.KeySpec.class);
        long expires = rs.getLong(7);
        Long expiresMillis = rs.wasNull() ? null : expires;
        out.add(new VirtualKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            spec.models(), spec.limits(), spec.budgets(), expiresMillis, spec.metadata(), rs.getBoolean(8),
            rs.getLong(9), rs.getString(10), rs.getString(11), spec.logsContent()));
      }
      return out;
    } catch (SQLException e) {
      throw failure(e, "cannot read keys");
    }
  }

  @Override
  public BigDecimal spentSince(String keyId, String teamId, long fromMillis) {
    String sql = "SELECT coalesce(sum(cost_usd), 0) FROM usage WHERE " + (keyId != null ? "key_id" : "team_id")
        + " = ? AND at_ms >= ?";
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, keyId != null ? keyId : teamId);
      ps.setLong(2, fromMillis);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBigDecimal(1);
      }
    } catch (SQLException e) {
      throw failure(e, "cannot read spend");
    }
  }

  @Override
  public void recordContent(List<RequestContent> contents) {
    if (contents.isEmpty()) return;
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        RequestLog.recordContent(c, "INSERT INTO request_content (request_id, at_ms, request, request_truncated, "
            + "answer, answer_truncated) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING", contents, true);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(e, "cannot record request content");
    }
  }

  @Override
  public List<RequestRow> requests(RequestQuery query) {
    try (Connection c = pool.getConnection()) {
      return RequestLog.requests(c, query);
    } catch (SQLException e) {
      throw failure(e, "cannot read the request log");
    }
  }

  @Override
  public RequestRow request(String requestId) {
    try (Connection c = pool.getConnection()) {
      return RequestLog.request(c, requestId);
    } catch (SQLException e) {
      throw failure(e, "cannot read the request log");
    }
  }

  @Override
  public RequestContent content(String requestId) {
    try (Connection c = pool.getConnection()) {
      return RequestLog.content(c, requestId);
    } catch (SQLException e) {
      throw failure(e, "cannot read request content");
    }
  }

  @Override
  public Health health() {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1")) {
      ps.setQueryTimeout(2);
      ps.executeQuery().close();
      return new Health(true, "postgres " + where);
    } catch (SQLException e) {
      return new Health(false, "postgres " + where + ": " + e.getMessage());
    }
  }

  private RuntimeException conflictOr(SQLException e, String conflict, String what) {
    if ("23505".equals(e.getSQLState())) return new StoreConflict(conflict); // unique_violation
    return failure(e, what);
  }

  /**
   * An outage as {@link Store.Unavailable}: a connection that cannot be had or was lost (SQLSTATE class 08, the
   * pool's wait running out), a server shutting down (57P), out of disk, memory or connections (53), or a read-only
   * standby after a failover (25006). Anything else as a plain failure.
   */
  private RuntimeException failure(SQLException e, String what) {
    String state = e.getSQLState();
    if (e instanceof SQLTransientConnectionException || (state != null && (state.startsWith("08")
        || state.startsWith("57P") || state.startsWith("53") || state.equals("25006")))) {
      return new Store.Unavailable(what + ": PostgreSQL at " + where + " is unavailable (" + e.getMessage() + ")", e);
    }
    return new IllegalStateException(what + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    pool.close();
  }
}
