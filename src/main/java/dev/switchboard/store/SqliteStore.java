package dev.switchboard.store;

import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;

/**
 * The embedded store: one SQLite file ({@code switchboard.db} in the state directory) in WAL mode, its schema
 * migrated by Flyway from {@code db/sqlite} at open. One connection, used under the store's lock: SQLite has one
 * writer at a time anyway, and the callers are the metering writer and the admin API, not the request path.
 */
public final class SqliteStore implements Store {
  public static final String FILE = "switchboard.db";

  private final Connection connection;

  private SqliteStore(Connection connection) {
    this.connection = connection;
  }

  /** Opens (creating if needed) the store in {@code home}, migrating its schema to the current version. */
  public static SqliteStore open(Path home) {
    try {
      Files.createDirectories(home);
      String url = "jdbc:sqlite:" + home.resolve(FILE).toAbsolutePath();
      Flyway.configure().dataSource(url, null, null).locations("classpath:db/sqlite").load().migrate();
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      return new SqliteStore(c);
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open the store " + home.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void recordUsage(List<ExchangeRecord> records, long atMillis) {
    if (records.isEmpty()) return;
    String sql = "INSERT OR IGNORE INTO usage (request_id, at_ms, endpoint, model, deployment, provider, region, "
        + "stream, status, outcome, attempts, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
        + "reasoning_tokens, estimated, cost_usd, duration_ms, first_byte_ms, key_id, team_id, front_door) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        for (ExchangeRecord r : records) {
          Usage u = r.usage();
          int i = 1;
          ps.setString(i++, r.requestId());
          // The exchange's own end, so that a batch written late (the store was failing) still counts in its day.
          ps.setLong(i++, r.endedMillis() > 0 ? r.endedMillis() : atMillis);
          ps.setString(i++, r.endpoint());
          ps.setString(i++, r.model());
          ps.setString(i++, r.deployment());
          ps.setString(i++, r.provider());
          ps.setString(i++, r.region());
          ps.setInt(i++, r.stream() ? 1 : 0);
          ps.setInt(i++, r.status());
          ps.setString(i++, r.outcome());
          ps.setInt(i++, r.attempts());
          setLong(ps, i++, u == null ? null : u.inputTokens());
          setLong(ps, i++, u == null ? null : u.outputTokens());
          setLong(ps, i++, u == null ? null : u.cacheReadTokens());
          setLong(ps, i++, u == null ? null : u.cacheWriteTokens());
          setLong(ps, i++, u == null ? null : u.reasoningTokens());
          ps.setInt(i++, u != null && u.estimated() ? 1 : 0);
          ps.setString(i++, r.cost() == null ? null : r.cost().toPlainString());
          ps.setLong(i++, r.durationNanos() / 1_000_000);
          setLong(ps, i++, r.firstByteNanos() < 0 ? null : r.firstByteNanos() / 1_000_000);
          ps.setString(i++, r.keyId());
          ps.setString(i++, r.teamId());
          ps.setString(i++, r.frontDoor());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      connection.commit();
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the original failure is the one to report
      }
      throw new IllegalStateException("cannot record usage: " + e.getMessage(), e);
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the connection is unusable; the next call reports it
      }
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) ps.setNull(i, java.sql.Types.INTEGER);
    else ps.setLong(i, v);
  }

  @Override
  public synchronized UsageTotals usage(String model) {
    String sql = "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
        + "coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0) FROM usage"
        + (model == null ? "" : " WHERE model = ?");
    // Costs are summed in Java as exact decimals: SQLite would add them as doubles.
    String costs = "SELECT cost_usd FROM usage WHERE cost_usd IS NOT NULL" + (model == null ? "" : " AND model = ?");
    try (PreparedStatement ps = connection.prepareStatement(sql); PreparedStatement pc = connection.prepareStatement(
        costs)) {
      if (model != null) {
        ps.setString(1, model);
        pc.setString(1, model);
      }
      BigDecimal cost = BigDecimal.ZERO;
      try (ResultSet rs = pc.executeQuery()) {
        while (rs.next()) cost = cost.add(new BigDecimal(rs.getString(1)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new UsageTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            cost.stripTrailingZeros().toPlainString());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read usage: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<UsageRow> usage(UsageQuery q) {
    List<String> dims = new ArrayList<>();
    for (UsageGroup g : q.groupBy()) dims.add(column(g));
    String select = dims.isEmpty() ? "" : String.join(", ", dims) + ", ";
    StringBuilder sql = new StringBuilder("SELECT ").append(select).append("count(*), "
        + "coalesce(sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0), coalesce(sum(input_tokens), 0), "
        + "coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0), "
        + "coalesce(sum(reasoning_tokens), 0), coalesce(sum(estimated), 0), "
        // Costs come back as text and are summed in Java as exact decimals: SQLite would add them as doubles.
        + "group_concat(cost_usd, ',') FROM usage WHERE at_ms >= ? AND at_ms < ?");
    List<String> args = new ArrayList<>();
    Where.equal(sql, args, "key_id", q.keyId());
    Where.equal(sql, args, "team_id", q.teamId());
    Where.equal(sql, args, "model", q.model());
    if (!dims.isEmpty()) {
      String by = String.join(", ", dims);
      sql.append(" GROUP BY ").append(by).append(" ORDER BY ").append(by);
    }
    try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
      return UsageRows.read(ps, q.fromMillis(), q.toMillis(), args, dims.size(),
          (rs, col) -> exactSum(rs.getString(col)));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read usage: " + e.getMessage(), e);
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
      case DAY -> "strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch')";
      case HOUR -> "strftime('%Y-%m-%dT%H:00Z', at_ms / 1000, 'unixepoch')";
    };
  }

  private static String exactSum(String joined) {
    BigDecimal sum = BigDecimal.ZERO;
    if (joined != null) for (String c : joined.split(",")) sum = sum.add(new BigDecimal(c));
    return sum.signum() == 0 ? "0" : sum.stripTrailingZeros().toPlainString();
  }

  @Override
  public synchronized void saveTeam(Team team) {
    String sql = "INSERT INTO teams (id, name, spec, created_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "name = excluded.name, spec = excluded.spec";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
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
  public synchronized List<Team> teams() {
    List<Team> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name, spec, created_ms FROM teams ORDER BY created_ms, id")) {
      while (rs.next()) {
        Specs.TeamSpec spec = Specs.read(rs.getString(3), Specs.TeamSpec.class);
        out.add(new Team(rs.getString(1), rs.getString(2), spec.limits(), spec.budgets(), spec.metadata(),
            rs.getLong(4), spec.logsContent()));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read teams: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void saveKey(VirtualKey k) {
    String sql = "INSERT INTO keys (id, team_id, name, prefix, hash, spec, expires_ms, enabled, created_ms, "
        + "access_key_id, sealed_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "team_id = excluded.team_id, name = excluded.name, spec = excluded.spec, expires_ms = excluded.expires_ms, "
        + "enabled = excluded.enabled";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, k.id());
      ps.setString(i++, k.teamId());
      ps.setString(i++, k.name());
      ps.setString(i++, k.prefix());
      ps.setString(i++, k.hash());
      ps.setString(i++, Specs.write(new Specs.KeySpec(k.models(), k.limits(), k.budgets(), k.metadata(),
          k.logContent() ? Boolean.TRUE : null)));
      setLong(ps, i++, k.expiresMillis());
      ps.setInt(i++, k.enabled() ? 1 : 0);
      ps.setLong(i++, k.createdMillis());
      ps.setString(i++, k.accessKeyId());
      ps.setString(i++, k.sealedSecret());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw conflictOr(e, "that key or access key id is already taken; create the key again", "cannot save key");
    }
  }

  @Override
  public synchronized List<VirtualKey> keys() {
    List<VirtualKey> out = new ArrayList<>();
    String sql = "SELECT id, team_id, name, prefix, hash, spec, expires_ms, enabled, created_ms, access_key_id, "
        + "sealed_secret FROM keys ORDER BY created_ms, id";
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        Specs.KeySpec spec = Specs.read(rs.getString(6), Specs.KeySpec.class);
        long expires = rs.getLong(7);
        Long expiresMillis = rs.wasNull() ? null : expires;
        out.add(new VirtualKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            spec.models(), spec.limits(), spec.budgets(), expiresMillis, spec.metadata(), rs.getInt(8) == 1,
            rs.getLong(9), rs.getString(10), rs.getString(11), spec.logsContent()));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read keys: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized BigDecimal spentSince(String keyId, String teamId, long fromMillis) {
    String sql = "SELECT cost_usd FROM usage WHERE " + (keyId != null ? "key_id" : "team_id")
        + " = ? AND at_ms >= ? AND cost_usd IS NOT NULL";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, keyId != null ? keyId : teamId);
      ps.setLong(2, fromMillis);
      BigDecimal sum = BigDecimal.ZERO;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) sum = sum.add(new BigDecimal(rs.getString(1)));
      }
      return sum;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read spend: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void recordContent(List<RequestContent> contents) {
    if (contents.isEmpty()) return;
    try {
      connection.setAutoCommit(false);
      try {
        RequestLog.recordContent(connection, "INSERT OR IGNORE INTO request_content (request_id, at_ms, request, "
            + "request_truncated, answer, answer_truncated) VALUES (?, ?, ?, ?, ?, ?)", contents, false);
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record request content: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<RequestRow> requests(RequestQuery query) {
    try {
      return RequestLog.requests(connection, query);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the request log: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized RequestRow request(String requestId) {
    try {
      return RequestLog.request(connection, requestId);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the request log: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized RequestContent content(String requestId) {
    try {
      return RequestLog.content(connection, requestId);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read request content: " + e.getMessage(), e);
    }
  }

  private static RuntimeException conflictOr(SQLException e, String conflict, String what) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("UNIQUE") || m.contains("PRIMARY KEY")) return new StoreConflict(conflict);
    return new IllegalStateException(what + ": " + m, e);
  }

  /** One trivial query: a closed store or a file gone bad is down. */
  @Override
  public synchronized Health health() {
    try (Statement st = connection.createStatement()) {
      st.executeQuery("SELECT 1").close();
      return new Health(true, "sqlite");
    } catch (SQLException e) {
      return new Health(false, "sqlite: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing at shutdown: nothing left to do with the error
    }
  }
}
