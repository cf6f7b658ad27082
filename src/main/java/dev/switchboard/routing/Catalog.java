package dev.switchboard.routing;

import dev.switchboard.provider.Provider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the model names clients send to what serves them. Immutable and thread-safe once built.
 *
 * <p>A catalog may also have a pass-through provider: a name it does not know then goes to that provider
 * unchanged (used when an upstream's model list could not be read at start).
 */
public final class Catalog {
  private final Map<String, Route> routes;
  private final Provider passthrough;
  private final long created = System.currentTimeMillis() / 1000;

  /**
   * One logical model, served by {@code provider} under the id {@code upstreamModel}.
   *
   * @param strict refuse translations that would drop features (see {@code Exchange#strict()})
   */
  public record Route(String model, Provider provider, String upstreamModel, boolean strict) {}

  private Catalog(Map<String, Route> routes, Provider passthrough) {
    this.routes = routes;
    this.passthrough = passthrough;
  }

  /** The route for a client's model name, or null when nothing serves it. */
  public Route resolve(String model) {
    Route r = routes.get(model);
    if (r != null || passthrough == null) return r;
    return new Route(model, passthrough, model, false);
  }

  /** Every named route, in the order they were added. */
  public Collection<Route> routes() {
    return routes.values();
  }

  /** The Unix time (seconds) the catalog was built, reported as each model's {@code created}. */
  public long created() {
    return created;
  }

  /** The names of the models, for messages that list what is available. */
  public List<String> names() {
    return new ArrayList<>(routes.keySet());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects routes; the first route added under a name wins. */
  public static final class Builder {
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private Provider passthrough;

    /** Adds a route; returns false (and changes nothing) when the name is already taken. */
    public boolean add(String model, Provider provider, String upstreamModel) {
      return add(model, provider, upstreamModel, false);
    }

    /** Adds a route; returns false (and changes nothing) when the name is already taken. */
    public boolean add(String model, Provider provider, String upstreamModel, boolean strict) {
      return routes.putIfAbsent(model, new Route(model, provider, upstreamModel, strict)) == null;
    }

    public Builder passthrough(Provider provider) {
      if (passthrough == null) passthrough = provider;
      return this;
    }

    public Catalog build() {
      return new Catalog(Collections.unmodifiableMap(new LinkedHashMap<>(routes)), passthrough);
    }
  }
}
