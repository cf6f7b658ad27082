package dev.switchboard.store.bench;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.PostgresStore;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import dev.switchboard.testing.LocalPostgres;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Usage-ledger write throughput: N records written in batches as the Meter writes them (one writer, batches of
 * 2,000, one transaction each), to PostgreSQL both ways it can ({@link PostgresStore.Writes}: multi-row INSERT, and
 * COPY, which the store uses) and, for comparison, the embedded SQLite store; prints records/s.
 * Not a JMH benchmark: each write is a database round trip of milliseconds, which a plain clock measures well.
 *
 * <p>Arguments: {@code [records] [batch]} (default 200000 2000). PostgreSQL is {@code SWITCHBOARD_BENCH_PG_URL}
 * (with {@code SWITCHBOARD_BENCH_PG_USER}, {@code SWITCHBOARD_BENCH_PG_PASSWORD}) when set, else a fresh database on
 * a throw-away local server ({@link LocalPostgres}, which runs with fsync off: the server's disk is not measured).
 * Run it with {@code bench/ledger}.
 */
public final class LedgerWriteBench {
  private LedgerWriteBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String url = System.getenv("SWITCHBOARD_BENCH_PG_URL");
    String user = System.getenv("SWITCHBOARD_BENCH_PG_USER");
    String password = System.getenv("SWITCHBOARD_BENCH_PG_PASSWORD");
    String where;
    boolean local = url == null || url.isBlank();
    if (local) {
      LocalPostgres pg = LocalPostgres.shared();
      url = pg.newDatabase();
      user = pg.user();
      where = "local throw-away server (fsync off)";
    } else {
      where = PostgresStore.redacted(url);
    }
    System.out.printf(Locale.ROOT, "ledger write throughput: %,d records in batches of %,d, one writer%n", n, batch);
    // INSERT first, then COPY, the store's way: a table that has grown a little makes the second no easier.
    try (Store pg = PostgresStore.open(url, user, password, 2, PostgresStore.Writes.INSERT)) {
      report("postgres, multi-row INSERT (for comparison)", "insert", pg, n, batch);
    }
    System.out.printf("  on %s%n", where);
    try (Store pg = PostgresStore.open(url, user, password, 2, PostgresStore.Writes.COPY)) {
      report("postgres, COPY + INSERT … SELECT (what the store uses)", "copy", pg, n, batch);
    }
    Path dir = Files.createTempDirectory("switchboard-ledger-bench-");
    try (Store sqlite = SqliteStore.open(dir)) {
      report("sqlite (" + dir + ")", "sqlite", sqlite, n, batch);
    }
    System.exit(0); // the local server's shutdown hook stops it
  }

  /** @param tag keeps each run's request ids and model apart, should two runs share a database */
  private static void report(String name, String tag, Store store, int n, int batch) {
    String model = "bench-" + tag + "-" + System.currentTimeMillis();
    write(store, model, "warm", Math.min(n, 20_000), batch); // JIT, connections, prepared statement plans
    long t0 = System.nanoTime();
    write(store, model, "run", n, batch);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    write(store, model, "run", Math.min(n, 20_000), batch); // the same ids again: a replayed spool, all ignored
    double replay = (System.nanoTime() - t1) / 1e9;
    if (store.usage(model).requests() != n + Math.min(n, 20_000)) {
      throw new IllegalStateException("the store holds the wrong number of records");
    }
    System.out.printf(Locale.ROOT, "%-60s %,10.0f records/s   (%,d in %.2f s; replaying %,d duplicates: %,.0f/s)%n",
        name, n / seconds, n, seconds, Math.min(n, 20_000), Math.min(n, 20_000) / replay);
  }

  private static void write(Store store, String model, String prefix, int n, int batch) {
    long now = System.currentTimeMillis();
    for (int from = 0; from < n; from += batch) {
      List<ExchangeRecord> records = new ArrayList<>(batch);
      for (int i = from; i < Math.min(n, from + batch); i++) records.add(record(model + "_" + prefix + "_" + i, model, now));
      store.recordUsage(records, now);
    }
  }

  /** A record shaped like a real one: every column filled, ids of realistic length. */
  private static ExchangeRecord record(String id, String model, long now) {
    return new ExchangeRecord("req_0123456789abcdef_" + id, "chat", model, "openai", "gpt-4o-mini", true, 200,
        "completed", new Usage(1200, 350, 1024, 0, 0, false), 812_000_000, 95_000_000, "openai/gpt-4o-mini",
        "us-east-1", 1, new BigDecimal("0.0003900000"), "key_0123456789ab", "team_0123456789a", now);
  }
}
