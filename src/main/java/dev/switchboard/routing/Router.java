package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Sends each request to the best deployment of its model and, when an attempt fails before the client saw a
 * byte, to the next one: the failover, retry, budget and health bookkeeping of the request path. Front doors call
 * {@link #dispatch} once routing needs are known; the {@link Sender} they pass knows how to send their request to
 * any one deployment. Thread-safe.
 */
public final class Router {
  /** Sends the exchange's request to one deployment; called once per attempt, on the exchange's event loop. */
  @FunctionalInterface
  public interface Sender {
    void send(Deployment deployment);
  }

  /**
   * A stream that may go on after its upstream broke, given by front doors for models with {@code
   * continue_streams}. Called on the exchange's event loop.
   */
  @FunctionalInterface
  public interface Resumable {
    /**
     * The stream broke after bytes reached the client. Returns true when what was sent can be continued, and
     * then makes the next {@link Sender#send} a continuation of it; false leaves the stream to its in-stream error.
     */
    boolean resume();
  }

  private final Vertx vertx;
  private final Ticker ticker;
  private final Regions regions;
  private final Catalog catalog;
  private final Admission admission;
  private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();
  private final Map<String, RetryBudget> hedgeBudgets = new ConcurrentHashMap<>();

  public Router(Vertx vertx, Catalog catalog) {
    this(vertx, catalog, Admission.OPEN);
  }

  public Router(Vertx vertx, Catalog catalog, Admission admission) {
    this(vertx, catalog, Ticker.system(), admission);
  }

  Router(Vertx vertx, Catalog catalog, Ticker ticker) {
    this(vertx, catalog, ticker, Admission.OPEN);
  }

  Router(Vertx vertx, Catalog catalog, Ticker ticker, Admission admission) {
    this.vertx = vertx;
    this.ticker = ticker;
    this.regions = Regions.of(catalog.routes());
    this.catalog = catalog;
    this.admission = admission;
  }

  /**
   * Starts the first attempt of {@code exchange} on {@code route}; the exchange ends through its attempts. The
   * front door must have called {@code exchange.route(...)} (model and stream flag) before.
   */
  public void dispatch(Exchange exchange, Catalog.Route route, Demand demand, Sender sender) {
    dispatch(exchange, route, demand, sender, null);
  }

  /**
   * As {@link #dispatch(Exchange, Catalog.Route, Demand, Sender)}; a stream broken after its first byte is continued
   * through {@code resumable} when the model's policy says so and the attempt limit, deadline and retry budget allow.
   *
   * @param resumable null when the exchange cannot be continued
   */
  public void dispatch(Exchange exchange, Catalog.Route route, Demand demand, Sender sender, Resumable resumable) {
    Selection.Plan plan = Selection.plan(route, demand, regions, RandomGenerator.getDefault());
    List<Deployment> order = plan.order();
    if (order.isEmpty() && plan.tooLarge() && route.policy().onContextOverflow() != null) {
      order = order(route.policy().onContextOverflow(), demand);
    }
    if (order.isEmpty()) {
      exchange.fail(GatewayError.invalid(plan.refusal(), "model", "no_eligible_deployment"), "rejected");
      return;
    }
    if (!route.policy().fallbacks().isEmpty()) {
      order = new ArrayList<>(order);
      for (String fallback : route.policy().fallbacks()) {
        for (Deployment d : order(fallback, demand)) if (!order.contains(d)) order.add(d);
      }
    }
    Future<GatewayError> admitted = admission.admit(exchange, route, order);
    if (admitted.isComplete()) {
      proceed(exchange, route, demand, sender, resumable, order, admitted);
    } else {
      List<Deployment> planned = order;
      admitted.onComplete(ar -> proceed(exchange, route, demand, sender, resumable, planned, admitted));
    }
  }

  private void proceed(Exchange exchange, Catalog.Route route, Demand demand, Sender sender, Resumable resumable,
      List<Deployment> order, Future<GatewayError> admitted) {
    if (exchange.ended()) return; // the client left while admission was deciding
    if (admitted.failed()) {
      exchange.fail(GatewayError.of(503, GatewayError.Kind.UNAVAILABLE, "Switchboard cannot check this key's limits "
          + "and budget right now (" + admitted.cause().getMessage() + "), and is set to refuse requests then. Retry "
          + "shortly.", "admission_unavailable").withRetryAfter(1), "rejected");
      return;
    }
    GatewayError refused = admitted.result();
    if (refused != null) {
      exchange.fail(refused, "rejected");
      return;
    }
    RetryBudget budget = budgets.computeIfAbsent(route.model(), k -> new RetryBudget(route.policy().retry().budget(),
        MIN_RETRIES_PER_SECOND, ticker));
    budget.onRequest();
    RetryBudget hedgeBudget = null;
    if (route.policy().retry().hedgeAfter() != null) {
      hedgeBudget = hedgeBudgets.computeIfAbsent(route.model(), k -> new RetryBudget(route.policy().retry().budget(),
          MIN_RETRIES_PER_SECOND, ticker));
      hedgeBudget.onRequest();
    }
    RequestAttempts attempts = new RequestAttempts(vertx, ticker, exchange, route, order, budget, hedgeBudget, sender,
        model -> order(model, demand), route.policy().continueStreams() ? resumable : null);
    exchange.attempts(attempts);
    attempts.start();
  }

  /** The order another model's deployments would be tried in for this demand; empty when none can serve it. */
  private List<Deployment> order(String model, Demand demand) {
    Catalog.Route other = catalog.resolve(model);
    return other == null ? List.of() : Selection.plan(other, demand, regions, RandomGenerator.getDefault()).order();
  }

  /** Where a request for {@code route} with {@code demand} would go now, and why; see {@link RouteReport}. */
  public Map<String, Object> explain(Catalog.Route route, Demand demand) {
    return RouteReport.of(route, demand, regions, RandomGenerator.getDefault());
  }

  /** Retries a quiet gateway may always make, whatever the ratio says. */
  private static final double MIN_RETRIES_PER_SECOND = 5;
}
