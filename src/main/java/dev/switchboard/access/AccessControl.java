package dev.switchboard.access;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.routing.Admission;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Deployment;
import io.vertx.core.Future;
import java.util.List;

/**
 * The router's admission for virtual keys: the key may use the model, its rate limits have room, and its budgets
 * can hold the request's worst case. What admission takes is given back when the exchange ends. The master key
 * passes untouched. Thread-safe.
 */
public final class AccessControl implements Admission {
  private final RateLimiter limiter;
  private final BudgetBook budgets;

  public AccessControl(RateLimiter limiter, BudgetBook budgets) {
    this.limiter = limiter;
    this.budgets = budgets;
  }

  @Override
  public Future<GatewayError> admit(Exchange exchange, Catalog.Route route, List<Deployment> order) {
    GatewayError refused = decide(exchange, route, order);
    return refused == null ? ADMITTED : Future.succeededFuture(refused);
  }

  private GatewayError decide(Exchange exchange, Catalog.Route route, List<Deployment> order) {
    Principal p = exchange.principal();
    if (p.master()) return null;
    GatewayError forbidden = forbidden(p, route);
    if (forbidden != null) return forbidden;
    boolean tokens = limiter.countsTokens(p);
    boolean budgeted = budgets.budgeted(p);
    Estimate estimate = tokens || budgeted ? Estimate.of(exchange, order) : null;
    try {
      RateLimiter.Permit permit = limiter.acquire(exchange, p, tokens ? estimate : null);
      BudgetBook.Hold hold;
      try {
        hold = budgeted ? budgets.reserve(p, order, estimate) : null;
        if (hold != null) exchange.response().putHeader(BudgetBook.X_BUDGET_REMAINING, hold.remaining());
      } catch (Refusal r) {
        permit.cancel();
        throw r;
      }
      if (permit != RateLimiter.NONE || hold != null) { // a key with neither limits nor budgets holds nothing
        exchange.whenEnded(record -> {
          permit.ended(record);
          if (hold != null) hold.settle(record);
        });
      }
      return null;
    } catch (Refusal r) {
      return r.error();
    }
  }

  /** The 403 for a model the key may not use, or null when it may. */
  static GatewayError forbidden(Principal p, Catalog.Route route) {
    if (p.allows(route.model())) return null;
    return GatewayError.of(403, GatewayError.Kind.PERMISSION, "The key " + p.key().prefix() + " may not use model '"
        + route.model() + "'; it may use " + String.join(", ", p.key().models().stream().sorted().toList())
        + ". An administrator can change that with 'switchboard keys update'.", "model_not_allowed");
  }

  /** The limiter and book of this instance: the Redis-backed admission falls back on them when set to fail open. */
  RateLimiter limiter() {
    return limiter;
  }

  BudgetBook budgets() {
    return budgets;
  }
}
