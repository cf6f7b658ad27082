package dev.switchboard.server;

import dev.switchboard.access.SharedAccess;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Redis's readiness, from the state the connection already keeps (no round trip of its own). Down with
 * {@code on_failure: closed} the instance refuses every request of a key with limits or budgets, so it is unready
 * (503: out of rotation); down with {@code open} it goes on with this instance's own limits and budgets, so it is
 * degraded (200: in rotation).
 */
final class RedisHealth implements HealthSource {
  private final SharedAccess shared;

  RedisHealth(SharedAccess shared) {
    this.shared = shared;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Probe probe() {
    SharedAccess.RedisState s = shared.state();
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("state", s.up() ? "up" : "down");
    state.put("on_failure", s.failOpen() ? "open" : "closed");
    if (s.sinceMillis() > 0) state.put("since", Instant.ofEpochMilli(s.sinceMillis()).toString());
    if (s.up()) return new Probe(Effect.READY, state);
    state.put("detail", (s.sinceMillis() == 0 ? "not reached since the start" : "unreachable")
        + (s.failOpen() ? "; limits and budgets are this instance's own until it returns"
            : "; requests of keys with limits or budgets are refused with 503 until it returns"));
    return new Probe(s.failOpen() ? Effect.DEGRADED : Effect.UNREADY, state);
  }

  @Override
  public Effect whenSilent() {
    return shared.state().failOpen() ? Effect.DEGRADED : Effect.UNREADY;
  }
}
