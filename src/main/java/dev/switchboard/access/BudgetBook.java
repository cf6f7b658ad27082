package dev.switchboard.access;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.routing.Deployment;
import dev.switchboard.store.Store;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hard USD budgets per key and per team. Each admitted request reserves its worst-case cost against every budget
 * of its key and of its team, all or none, under one lock; when it ends it settles its real cost and gives the rest
 * of the reservation back. So the money admitted never exceeds a budget while every request costs at most what it
 * reserved (docs/operations.md, "Budgets", states the bound when one costs more).
 *
 * <p>One account per subject (a key or a team), period and calendar window (UTC day, UTC month, or all time) holds
 * what was spent and what is reserved, in units of 10<sup>-10</sup> USD: the precision of {@code routing.Cost}, so
 * a settled cost is counted exactly. A reservation settles into the window it was made in; a new window starts from
 * zero. At start, and when a key or team gains a budget of a period it had none of, the account is loaded from the
 * usage ledger ({@link Store#spentSince}), off the request path.
 *
 * <p>The limits themselves are read from the {@link Principal} of each request, so a changed amount holds from the
 * next request on. Thread-safe. One lock, not one per account: the critical section is a few additions and
 * comparisons, and a single lock makes "all budgets or none" trivially atomic. Keys without budgets never take it.
 */
public final class BudgetBook {
  /** A request's reservation; settled once when it ends. */
  interface Hold {
    void settle(ExchangeRecord record);

    /**
     * USD left, as a plain decimal, in the tightest budget of the request's key and team once this request holds
     * its worst case: the {@code x-switchboard-budget-remaining} answer header.
     */
    String remaining();
  }

  /** The header that tells an admitted request how much of its tightest budget is left. */
  static final String X_BUDGET_REMAINING = "x-switchboard-budget-remaining";

  /** USD to units: 10^10 units per dollar, the scale of {@code Cost}. */
  private static final int SCALE = 10;
  /** Amounts beyond this many units are treated as this many (about $90 million): no overflow in sums. */
  private static final long CAP = Long.MAX_VALUE / 1024;

  private final Store store;
  private final InstantSource clock;
  /** Guarded by {@code this}. The current window's account of each budgeted subject and period. */
  private final Map<Slot, Account> accounts = new HashMap<>();

  /**
   * Rebuilds the current spend of every key and team with a budget from the usage ledger, and follows later
   * changes to the ring. Blocks on the store: call at start, not on an event loop.
   */
  public BudgetBook(Store store, KeyRing ring, InstantSource clock) {
    this.store = store;
    this.clock = clock;
    ring.watch(new KeyRing.Watcher() {
      @Override
      public void changing(VirtualKey key) {
        follow(keySubject(key.id()), key.id(), null, key.budgets());
      }

      @Override
      public void changing(Team team) {
        follow(teamSubject(team.id()), null, team.id(), team.budgets());
      }
    });
    for (Team t : ring.teams()) follow(teamSubject(t.id()), null, t.id(), t.budgets());
    for (VirtualKey k : ring.keys()) follow(keySubject(k.id()), k.id(), null, k.budgets());
  }

  /** True when the caller has a budget, so admission must estimate the request. */
  boolean budgeted(Principal p) {
    return !p.key().budgets().isEmpty() || (p.team() != null && !p.team().budgets().isEmpty());
  }

  /**
   * Reserves the request's worst-case cost against every budget of its key and team, all or none.
   *
   * @param order the deployments the request may be served by; it reserves at the dearest of them
   * @throws Refusal when a budget cannot hold it, naming the budget, what is spent and held, and when it resets
   */
  Hold reserve(Principal p, List<Deployment> order, Estimate estimate) {
    return reserve(p, worstCase(order, estimate), estimate);
  }

  /** As {@link #reserve(Principal, List, Estimate)}, for a worst case already priced (in units of 10^-10 USD). */
  Hold reserve(Principal p, long worst, Estimate estimate) {
    long now = clock.millis();
    List<Limit> limits = new ArrayList<>(4);
    for (Budget b : p.key().budgets()) limits.add(new Limit(new Slot(keySubject(p.key().id()), b.period()), b, p));
    if (p.team() != null) {
      for (Budget b : p.team().budgets()) limits.add(new Limit(new Slot(teamSubject(p.team().id()), b.period()), b, null));
    }
    List<Account> taken = new ArrayList<>(limits.size());
    long left = Long.MAX_VALUE;
    Limit full = null;
    long spent = 0;
    long reserved = 0;
    int holds = 0;
    long end = 0;
    synchronized (this) {
      for (Limit l : limits) {
        Account a = current(l.slot, now);
        long limit = units(l.budget.usd(), RoundingMode.FLOOR);
        long used = a.spent + a.reserved;
        if (used >= limit || used + worst > limit) { // an exhausted budget refuses even what is priced at zero
          full = l;
          spent = a.spent;
          reserved = a.reserved;
          holds = a.holds;
          end = a.end;
          break;
        }
        if (!taken.contains(a)) taken.add(a);
        left = Math.min(left, limit - used - worst);
      }
      if (full == null) {
        for (Account a : taken) {
          a.reserved += worst;
          a.holds++;
        }
      }
    }
    if (full != null) {
      throw new Refusal(refusal(full.budget, full.key != null, p, spent, reserved, holds, worst, estimate, end));
    }
    return new Held(taken, worst, left);
  }

  /**
   * What a budget has left for new requests now (limit minus spent minus reserved), for tests, the admin API and
   * {@code /metrics}.
   */
  public synchronized BigDecimal remaining(String keyId, String teamId, Budget budget) {
    Account a = current(new Slot(keyId != null ? keySubject(keyId) : teamSubject(teamId), budget.period()),
        clock.millis());
    return usd(units(budget.usd(), RoundingMode.FLOOR) - a.spent - a.reserved);
  }

  /** What a subject has spent in the current window of {@code period}, as this book counts it. */
  synchronized BigDecimal spent(String keyId, String teamId, Budget.Period period) {
    return usd(current(new Slot(keyId != null ? keySubject(keyId) : teamSubject(teamId), period), clock.millis()).spent);
  }

  /**
   * The account of the window containing {@code now}: a new window starts from zero. Windows only move forward: a
   * wall clock stepped back keeps the current window, rather than open an empty one for a day already spent.
   * Caller holds the lock.
   */
  private Account current(Slot slot, long now) {
    Account a = accounts.get(slot);
    if (a == null || now >= a.end) {
      a = new Account(slot.period.start(now), slot.period.end(now), 0);
      accounts.put(slot, a);
    }
    return a;
  }

  /**
   * Keeps the accounts in step with a subject's budgets: a period it now has a budget of gets its spend so far
   * loaded from the ledger (unless already counted here); a period it no longer has is forgotten, so that a budget
   * added again later is loaded afresh. Runs on the thread that writes the key or team, before requests see it.
   */
  private void follow(String subject, String keyId, String teamId, List<Budget> budgets) {
    Set<Budget.Period> periods = EnumSet.noneOf(Budget.Period.class);
    for (Budget b : budgets) periods.add(b.period());
    for (Budget.Period period : Budget.Period.values()) {
      Slot slot = new Slot(subject, period);
      if (!periods.contains(period)) {
        synchronized (this) {
          accounts.remove(slot);
        }
        continue;
      }
      long now = clock.millis();
      synchronized (this) {
        Account a = accounts.get(slot);
        if (a != null && now < a.end) continue;
      }
      long spent = units(store.spentSince(keyId, teamId, period.start(now)), RoundingMode.CEILING);
      synchronized (this) {
        Account a = accounts.get(slot);
        if (a == null || now >= a.end) accounts.put(slot, new Account(period.start(now), period.end(now), spent));
      }
    }
  }

  /**
   * The most the request can cost: its estimated input tokens at the dearest input rate (cache writes included,
   * which some providers price above plain input) plus its maximum output at the dearest output rate, over every
   * deployment it may be served by, so that neither a failover nor a fallback can make it cost more than it
   * holds. A deployment without a known price counts as free: its exchanges have no cost either.
   */
  static long worstCase(List<Deployment> order, Estimate estimate) {
    BigDecimal in = BigDecimal.ZERO;
    BigDecimal out = BigDecimal.ZERO;
    for (Deployment d : order) {
      SwitchboardConfig.Price price = d.price();
      if (price == null) continue;
      in = in.max(price.input());
      if (price.cacheWrite() != null) in = in.max(price.cacheWrite());
      out = out.max(price.output());
    }
    BigDecimal perMillion = in.multiply(BigDecimal.valueOf(estimate.inputTokens))
        .add(out.multiply(BigDecimal.valueOf(estimate.maxOutputTokens)));
    return units(perMillion.movePointLeft(6), RoundingMode.CEILING);
  }

  /**
   * What an ended exchange is charged: its cost when the upstream reported its usage. Without a report (a stream cut
   * off before its usage came), the provider still billed what it produced, which only the reservation bounds: so
   * the reservation, or the metered estimate if that is more. Without usage at all, nothing when no upstream could
   * have produced tokens (no attempt, or every attempt failed before answering), else the reservation. Usage at a
   * deployment without a known price costs nothing, as in the ledger.
   */
  static long charge(ExchangeRecord record, long reserved) {
    if (record.usage() != null) {
      if (record.cost() == null) return 0;
      long cost = units(record.cost(), RoundingMode.CEILING);
      return record.usage() != null && record.usage().estimated() ? Math.max(cost, reserved) : cost;
    }
    if (record.attempts() == 0 || record.deployment() == null) return 0;
    boolean answered = record.firstByteNanos() >= 0;
    if (!answered && ("upstream_error".equals(record.outcome()) || "rejected".equals(record.outcome()))) return 0;
    return reserved;
  }

  private final class Held implements Hold {
    private final List<Account> accounts;
    private final long reserved;
    private final long left;
    private boolean settled;

    Held(List<Account> accounts, long reserved, long left) {
      this.accounts = accounts;
      this.reserved = reserved;
      this.left = left;
    }

    @Override
    public String remaining() {
      return plain(left);
    }

    @Override
    public void settle(ExchangeRecord record) {
      long cost = charge(record, reserved);
      synchronized (BudgetBook.this) {
        if (settled) return;
        settled = true;
        // Into the accounts it was reserved in, even if their window has closed since.
        for (Account a : accounts) {
          a.reserved -= reserved;
          a.holds--;
          a.spent = Math.min(CAP, a.spent + cost);
        }
      }
    }
  }

  /**
   * The 429 for a budget of the key ({@code byKey}) or of its team that cannot hold {@code worst}; {@code end} is
   * when its window ends (Long.MAX_VALUE for a total budget). Shared with the Redis-backed admission.
   */
  static GatewayError refusal(Budget budget, boolean byKey, Principal p, long spent, long reserved, long holds,
      long worst, Estimate estimate, long end) {
    String who = byKey ? "key " + p.key().prefix() + " (" + p.key().name() + ")"
        : "team '" + p.team().name() + "'";
    long limit = units(budget.usd(), RoundingMode.FLOOR);
    String resets = end == Long.MAX_VALUE ? "A total budget does not reset"
        : "It resets at " + Instant.ofEpochMilli(end) + " (" + (budget.period() == Budget.Period.DAY
            ? "daily" : "monthly") + ", UTC)";
    String command = byKey ? "'switchboard keys update'" : "'switchboard teams update'";
    return new GatewayError(429, GatewayError.Kind.RATE_LIMIT, "Budget exceeded: the " + who + " has a budget of $"
        + budget.usd().toPlainString() + "/" + budget.period().label() + ", with $" + plain(Math.max(0, limit - spent - reserved))
        + " left ($" + plain(spent) + " spent, $" + plain(reserved) + " held by " + holds + " request"
        + (holds == 1 ? "" : "s") + " in flight); this request may cost up to $" + plain(worst) + " ("
        + estimate.inputTokens + " input tokens estimated, " + estimate.maxOutputTokens
        + " output tokens at most, at the dearest of its deployments). " + resets + ". Send a smaller request or a "
        + "lower max_tokens, or ask an administrator to raise the budget with " + command + ".",
        null, GatewayError.INSUFFICIENT_QUOTA, -1);
  }

  static long units(BigDecimal usd, RoundingMode mode) {
    BigDecimal u = usd.movePointRight(SCALE).setScale(0, mode);
    return u.compareTo(BigDecimal.valueOf(CAP)) > 0 ? CAP : u.longValue();
  }

  private static BigDecimal usd(long units) {
    return BigDecimal.valueOf(units, SCALE).stripTrailingZeros();
  }

  static String plain(long units) {
    return usd(units).toPlainString();
  }

  static String keySubject(String id) {
    return "key:" + id;
  }

  static String teamSubject(String id) {
    return "team:" + id;
  }

  private record Slot(String subject, Budget.Period period) {}

  /** One budget to check: {@code key} is the principal for a key's budget, null for a team's. */
  private record Limit(Slot slot, Budget budget, Principal key) {}

  /** Guarded by the book's lock. */
  private static final class Account {
    final long start;
    final long end;
    long spent;
    long reserved;
    int holds;

    Account(long start, long end, long spent) {
      this.start = start;
      this.end = end;
      this.spent = spent;
    }
  }
}
