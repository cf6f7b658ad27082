package dev.switchboard.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One component's part of {@code GET /health/ready}: the store, the shared cache, anything whose loss changes what
 * this instance can serve. {@link Readiness} asks every source on a worker thread, all at once, and waits for each
 * at most its deadline; a source that misses it is reported down with {@link #whenSilent()}.
 *
 * <p>Implementations must be thread-safe, should answer from state they already keep (a connection's state, the
 * last write's outcome) or with one cheap round trip, must not throw (report {@link Effect#UNREADY} or
 * {@link Effect#DEGRADED} instead), and must never put credentials, URLs with passwords, keys or prompts in
 * {@link Probe#state()}: load balancers and anyone on the network read this endpoint without a key.
 */
public interface HealthSource {
  /** The field of the readiness answer this source fills: {@code "store"}, {@code "redis"}. */
  String name();

  /** Asks the component for its state. May block briefly; called on a worker thread, never an event loop. */
  Probe probe();

  /** What it means for the instance when this source gives no answer within the deadline. */
  default Effect whenSilent() {
    return Effect.UNREADY;
  }

  /** How a component's state affects the instance, from best to worst; the instance takes the worst of them. */
  enum Effect {
    /** Working. */
    READY,
    /** Impaired, but the instance still serves every request correctly (usage spooled, limits enforced locally). */
    DEGRADED,
    /** The instance would refuse or mishandle requests it should serve: take it out of rotation. */
    UNREADY
  }

  /**
   * One answer.
   *
   * @param effect what the state means for the instance
   * @param state the JSON object reported under {@link #name()}: plain strings, numbers, booleans, lists and maps;
   *     by convention with a {@code "state"} field ({@code "up"}, {@code "down"}, {@code "off"})
   */
  record Probe(Effect effect, Map<String, Object> state) {
    public Probe {
      state = Collections.unmodifiableMap(new LinkedHashMap<>(state)); // in the order given: "type", "state" first
    }
  }

  /** A component that is not configured: always ready, reported as {@code {"state":"off"}}. */
  static HealthSource off(String name) {
    Probe off = new Probe(Effect.READY, Map.of("state", "off"));
    return new HealthSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Probe probe() {
        return off;
      }
    };
  }
}
