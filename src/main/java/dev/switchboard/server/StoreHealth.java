package dev.switchboard.server;

import dev.switchboard.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The store's readiness, by asking it a question that touches the usage ledger and returns nothing (a sum over an
 * empty range of a key that cannot exist), so that it works for any {@link Store} without a method of its own. A
 * store that cannot answer degrades the instance but keeps it in rotation: routing needs no store (keys live in
 * memory), and the Meter keeps usage records until the store returns.
 */
final class StoreHealth implements HealthSource {
  private static final String NO_KEY = "health-probe";

  private final Store store;
  private final String type;

  /** @param type what the answer calls the store: {@code "sqlite"}, {@code "postgres"} */
  StoreHealth(Store store, String type) {
    this.store = store;
    this.type = type;
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
    try {
      store.spentSince(NO_KEY, null, Long.MAX_VALUE);
      state.put("state", "up");
      state.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
      return new Probe(Effect.READY, state);
    } catch (RuntimeException e) {
      state.put("state", "down");
      // The store's own words (a driver's message names the host and the failure, never a password).
      state.put("detail", String.valueOf(e.getMessage()));
      return new Probe(Effect.DEGRADED, state);
    }
  }

  @Override
  public Effect whenSilent() {
    return Effect.DEGRADED;
  }
}
