package dev.switchboard.server;

import dev.switchboard.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The store's readiness ({@link Store#health}) and how much usage waits in the Meter's spool for it. A store that
 * cannot answer degrades the instance but keeps it in rotation: routing needs no store (keys live in memory), and
 * the Meter spools usage records until the store returns.
 */
final class StoreHealth implements HealthSource {
  private final Store store;
  private final String type;
  private final LongSupplier spooled;

  /**
   * @param type what the answer calls the store: {@code "sqlite"}, {@code "postgres"}
   * @param spooled usage records waiting on disk for the store
   */
  StoreHealth(Store store, String type, LongSupplier spooled) {
    this.store = store;
    this.type = type;
    this.spooled = spooled;
  }

  @Override
  public String name() {
    return "store";
  }

  @Override
  public Probe probe() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("type", type);
    long started = System.nanoTime();
    Store.Health health;
    try {
      health = store.health();
    } catch (RuntimeException e) {
      health = new Store.Health(false, type + ": " + e.getMessage());
    }
    state.put("state", health.up() ? "up" : "down");
    if (health.up()) state.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
    else state.put("detail", health.detail()); // the store's words: names the database, never a password
    state.put("spooled", spooled.getAsLong());
    return new Probe(health.up() ? Effect.READY : Effect.DEGRADED, state);
  }

  @Override
  public Effect whenSilent() {
    return Effect.DEGRADED;
  }
}
