package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.provider.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the model names clients send to the deployments that serve them. Immutable and thread-safe once built
 * (the deployments' health inside changes, and is thread-safe).
 *
 * <p>A catalog may also have a pass-through provider: a name it does not know then goes to that provider
 * unchanged (used when an upstream's model list could not be read at start).
 */
public final class Catalog {
  private final Map<String, Route> routes;
  private final Provider passthrough;
  private final Map<String, Health> health;
  private final Ticker ticker;
  private final long created = System.currentTimeMillis() / 1000;

  /**
   * How a logical model is routed, beyond its deployments.
   *
   * @param strategy {@code cheapest}, {@code latency}, {@code weighted} or {@code priority}
   * @param strict refuse translations that would drop features (see {@code Exchange#strict()})
   * @param continueStreams splice a continuation from another deployment into a stream that broke after bytes
   *     reached the client (see {@code docs/configuration.md}, Routing)
   */
  public record Policy(String strategy, boolean strict, List<String> fallbacks, String onContextOverflow,
      String onContentFilter, SwitchboardConfig.Retry retry, Duration timeout, boolean continueStreams) {
    public static final Policy DEFAULT = new Policy(SwitchboardConfig.Model.ROUTING_DEFAULT, false, List.of(), null,
        null, SwitchboardConfig.Retry.DEFAULT, SwitchboardConfig.Model.DEFAULT_TIMEOUT, false);

    Policy strict(boolean strict) {
      return new Policy(strategy, strict, fallbacks, onContextOverflow, onContentFilter, retry, timeout,
          continueStreams);
    }
  }

  /** One logical model: its deployments, in configuration order, and its policy. */
  public record Route(String model, List<Deployment> deployments, Policy policy) {
    public Route {
      deployments = List.copyOf(deployments);
    }

    public boolean strict() {
      return policy.strict();
    }

    /** The first configured deployment's provider: what listings name as the model's owner. */
    public Provider provider() {
      return deployments.getFirst().provider();
    }

    /** The first configured deployment's upstream id. */
    public String upstreamModel() {
      return deployments.getFirst().upstreamModel();
    }
  }

  /**
   * Shared health hints: {@code listener} hears (deployment id, ejection in ms) each time a configured deployment's
   * breaker trips on this instance, on the reporting event loop; it must not block. Passthrough deployments are not
   * covered.
   */
  public void onEjected(java.util.function.BiConsumer<String, Long> listener) {
    synchronized (health) {
      for (Map.Entry<String, Health> e : health.entrySet()) {
        String id = e.getKey();
        e.getValue().breaker.onTrip(nanos -> listener.accept(id, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos)));
      }
    }
  }

  /**
   * {@code listener} hears the deployment id each time a configured deployment's breaker closes again (its probe
   * succeeded), on the reporting event loop; it must not block. For the dashboard's event log.
   */
  public void onRestored(java.util.function.Consumer<String> listener) {
    synchronized (health) {
      for (Map.Entry<String, Health> e : health.entrySet()) {
        String id = e.getKey();
        e.getValue().breaker.onClose(() -> listener.accept(id));
      }
    }
  }

  /**
   * Ejects the deployment {@code id} ({@code provider/upstream-model}) for {@code millis}, on another instance's
   * word, unless it is ejected already; see {@code CircuitBreaker.hint}. Unknown ids are ignored.
   */
  public void hintEjected(String id, long millis) {
    Health h;
    synchronized (health) {
      h = health.get(id);
    }
    if (h != null) h.breaker.hint(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private Catalog(Map<String, Route> routes, Provider passthrough, Map<String, Health> health, Ticker ticker) {
    this.routes = routes;
    this.passthrough = passthrough;
    this.health = health;
    this.ticker = ticker;
  }

  /** The route for a client's model name, or null when nothing serves it. */
  public Route resolve(String model) {
    Route r = routes.get(model);
    if (r != null || passthrough == null) return r;
    SwitchboardConfig.Deployment s = SwitchboardConfig.Deployment.of(passthrough.name(), model);
    Health h;
    synchronized (health) {
      h = health.computeIfAbsent(passthrough.name() + "/" + model, k -> new Health(0, ticker));
    }
    return new Route(model, List.of(new Deployment(passthrough, s, "default", null, null, 0, h)), Policy.DEFAULT);
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
    return new Builder(Ticker.system());
  }

  static Builder builder(Ticker ticker) {
    return new Builder(ticker);
  }

  /** Collects routes; the first route added under a name wins, and later deployments join it. */
  public static final class Builder {
    private final Map<String, List<Deployment>> deployments = new LinkedHashMap<>();
    private final Map<String, Policy> policies = new HashMap<>();
    private final Map<String, Health> health = new HashMap<>();
    private final Ticker ticker;
    private Provider passthrough;

    private Builder(Ticker ticker) {
      this.ticker = ticker;
    }

    /** Adds a route with one deployment; returns false (and changes nothing) when the name is already taken. */
    public boolean add(String model, Provider provider, String upstreamModel) {
      return add(model, provider, upstreamModel, false);
    }

    /** Adds a route with one deployment; returns false (and changes nothing) when the name is already taken. */
    public boolean add(String model, Provider provider, String upstreamModel, boolean strict) {
      if (deployments.containsKey(model)) return false;
      policies.put(model, Policy.DEFAULT.strict(strict));
      addDeployment(model, provider, SwitchboardConfig.Deployment.of(provider.name(), upstreamModel), null);
      return true;
    }

    /** Adds a configured model with all its deployments; {@code providers} holds every provider by name. */
    public Builder add(SwitchboardConfig.Model model, Map<String, Provider> providers,
        Map<String, String> providerRegions) {
      if (deployments.containsKey(model.name())) return this;
      policies.put(model.name(), new Policy(model.strategy(), model.strict(), model.fallbacks(),
          model.onContextOverflow(), model.onContentFilter(), model.retry(), model.timeout(),
          model.continueStreams()));
      for (SwitchboardConfig.Deployment d : model.deployments()) {
        String region = d.region() != null ? d.region() : providerRegions.get(d.provider());
        addDeployment(model.name(), providers.get(d.provider()), d, region);
      }
      return this;
    }

    /**
     * Adds one more deployment to a model (creating it with the default policy): how discovery gives a model
     * served in several places all of them.
     */
    public Builder addDeployment(String model, Provider provider, SwitchboardConfig.Deployment settings,
        String region) {
      policies.putIfAbsent(model, Policy.DEFAULT);
      List<Deployment> list = deployments.computeIfAbsent(model, k -> new ArrayList<>());
      Health h = health.computeIfAbsent(provider.name() + "/" + settings.upstreamModel(),
          k -> new Health(settings.maxConcurrency(), ticker));
      SwitchboardConfig.Price price = settings.price();
      String source = price != null ? "config" : null;
      if (price == null) {
        PriceList.Entry known = PriceList.builtIn().find(settings.upstreamModel());
        if (known != null) {
          price = known.price();
          source = known.source();
        }
      }
      list.add(new Deployment(provider, settings, region != null ? region : "default", price, source, list.size(), h));
      return this;
    }

    public Builder passthrough(Provider provider) {
      if (passthrough == null) passthrough = provider;
      return this;
    }

    public Catalog build() {
      Map<String, Route> routes = new LinkedHashMap<>();
      deployments.forEach((name, list) -> routes.put(name, new Route(name, list, policies.get(name))));
      return new Catalog(Collections.unmodifiableMap(routes), passthrough, health, ticker);
    }
  }
}
