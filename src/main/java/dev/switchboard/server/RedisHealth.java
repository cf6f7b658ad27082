package dev.switchboard.server;

import dev.switchboard.access.SharedAccess;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Redis's readiness: one PING while Redis is taken for up (an idle instance would otherwise notice an outage only at
 * its next request), else the state the connection keeps while its own probes wait for Redis to return. Down with
 * {@code on_failure: closed} the instance refuses every request of a key with limits or budgets, so it is unready
 * (503: out of rotation); down with {@code open} it goes on with this instance's own limits and budgets, so it is
 * degraded (200: in rotation).
 */
final class RedisHealth implements HealthSource {
  /** Longer than the link's own command timeout (1 s), which answers first. */
  private static final long CHECK_MILLIS = 1_500;

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
    SharedAccess.RedisState s;
    try {
      s = shared.check().toCompletionStage().toCompletableFuture().get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s = shared.state();
    } catch (ExecutionException | TimeoutException e) {
      s = shared.state();
    }
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
