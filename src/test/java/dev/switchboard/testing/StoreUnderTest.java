package dev.switchboard.testing;

import dev.switchboard.store.PostgresStore;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import java.nio.file.Path;

/**
 * The store a gateway test runs on: the embedded SQLite file in the gateway's home, or a fresh database on the JVM's
 * {@link LocalPostgres}. {@link #yaml} is the config section that selects it; {@link #open} opens the same store
 * for the test to read what the gateway wrote.
 */
public final class StoreUnderTest {
  /**
   * Which store; the name a parameterised test shows. {@code POSTGRES_REDIS} is the scaled-out setup: PostgreSQL,
   * and limits and budgets counted in the JVM's {@link LocalRedis}.
   */
  public enum Kind { SQLITE, POSTGRES, POSTGRES_REDIS }

  private final Kind kind;
  private final String url;

  private StoreUnderTest(Kind kind, String url) {
    this.kind = kind;
    this.url = url;
  }

  /** For PostgreSQL, makes a new empty database. */
  public static StoreUnderTest of(Kind kind) {
    return new StoreUnderTest(kind, kind != Kind.SQLITE ? LocalPostgres.shared().newDatabase() : null);
  }

  public Kind kind() {
    return kind;
  }

  /** The JDBC URL, or null for SQLite. */
  public String url() {
    return url;
  }

  /** A top-level {@code store:} section (empty for SQLite, the default), ending in a newline. */
  public String yaml() {
    if (kind == Kind.SQLITE) return "";
    String redis = kind == Kind.POSTGRES_REDIS ? "redis: {url: \"" + LocalRedis.shared().url() + "\"}\n" : "";
    return "store: {type: postgres, url: \"" + url + "\", user: " + LocalPostgres.shared().user() + ", pool_size: 4}\n"
        + redis;
  }

  /** The store the gateway with {@code home} as its state directory wrote to. */
  public Store open(Path home) {
    return kind == Kind.SQLITE ? SqliteStore.open(home)
        : PostgresStore.open(url, LocalPostgres.shared().user(), null, 2);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
