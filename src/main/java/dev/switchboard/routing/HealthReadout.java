package dev.switchboard.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What observers outside routing may read of the deployments' live health ({@code /metrics}): each deployment's
 * breaker state and how its upstream attempts ended. Reads only; thread-safe; cheap enough to run at every scrape.
 */
public final class HealthReadout {
  /** The results an attempt can end with, as {@code /metrics} labels them, in {@code RequestAttempts.Result} order. */
  public static final List<String> RESULTS = List.of("success", "failure", "client_error", "abandoned");

  private HealthReadout() {}

  static LongAdder[] counters() {
    LongAdder[] a = new LongAdder[RequestAttempts.Result.values().length];
    for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
    return a;
  }

  /** The configured deployments of every model, once each (a deployment shared by two models is one), in order. */
  public static List<Deployment> deployments(Catalog catalog) {
    Map<String, Deployment> byId = new LinkedHashMap<>();
    for (Catalog.Route r : catalog.routes()) {
      for (Deployment d : r.deployments()) byId.putIfAbsent(d.id(), d);
    }
    return new ArrayList<>(byId.values());
  }

  /** The breaker's state: 0 closed, 1 half-open (a probe may go or is out), 2 open (ejected). */
  public static int circuit(Deployment d) {
    return switch (d.health.breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  /** Attempts sent to {@code d} that ended with {@code RESULTS.get(result)}, since the start. */
  public static long attempts(Deployment d, int result) {
    return d.health.attempts[result].sum();
  }
}
