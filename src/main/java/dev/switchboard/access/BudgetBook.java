package dev.switchboard.access;

import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.routing.Deployment;
import java.util.List;

/**
 * Hard USD budgets per key and per team: each admitted request reserves its worst-case cost, and settles its
 * real cost when it ends. Thread-safe. (Skeleton: reserves nothing until budgets are built.)
 */
public final class BudgetBook {
  /** A request's reservation; settled once when it ends. */
  interface Hold {
    void settle(ExchangeRecord record);
  }

  private static final Hold NONE = record -> {};

  /** True when the caller has a budget, so admission must estimate the request. */
  boolean budgeted(Principal p) {
    return !p.key().budgets().isEmpty() || (p.team() != null && !p.team().budgets().isEmpty());
  }

  /**
   * Reserves the request's worst-case cost against every budget of its key and team, all or none.
   *
   * @throws Refusal when a budget cannot hold it
   */
  Hold reserve(Principal p, List<Deployment> order, Estimate estimate) {
    return NONE;
  }
}
