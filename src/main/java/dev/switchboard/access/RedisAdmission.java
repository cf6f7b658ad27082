package dev.switchboard.access;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.routing.Admission;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Deployment;
import dev.switchboard.store.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.math.RoundingMode;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission with the counters in Redis, shared by every instance: the same rate limits and budgets as
 * {@link AccessControl}'s in-memory {@link RateLimiter} and {@link BudgetBook}, with the same refusals and headers
 * (built by their code), but decided by one atomic script ({@code redis/admit.lua}) over the key's and the team's
 * buckets and every budget account, so two instances can never both admit past a limit. The end of an exchange
 * runs {@code redis/end.lua}: frees its concurrency slots, corrects its tokens and settles its cost.
 *
 * <p>A budget account missing from Redis (first use, a window just begun, Redis restarted empty) is loaded from the
 * usage ledger ({@link Store#spentSince}, on a worker thread) before anything is counted, so a Redis restart does
 * not reset a budget. While Redis is unreachable, admission follows {@code redis.on_failure}: closed fails the
 * future (the router answers 503 with Retry-After), open admits with this instance's own limiter and book, whose
 * holds are settled there. Settlements that cannot reach Redis are kept (up to {@link #MAX_PENDING}) and sent when
 * it answers again; a budget hold never settled expires after {@link #HOLD_TTL_MS}.
 *
 * <p>Thread-safe; never blocks an event loop. Answers complete on the exchange's event loop.
 */
final class RedisAdmission implements Admission {
  private static final Logger log = LoggerFactory.getLogger(RedisAdmission.class);
  /** Longer than any exchange should last (a provider's total timeout is 10 minutes by default), with retries. */
  static final long HOLD_TTL_MS = 30 * 60_000L;
  /** Past the window's end, so that an exchange settled just after midnight still finds its account. */
  private static final long ACCOUNT_GRACE_MS = 24 * 3_600_000L;
  private static final int MAX_PENDING = 10_000;
  private static final int LOAD_ATTEMPTS = 3;
  private static final RedisLink.Script ADMIT = RedisLink.Script.load("admit.lua");
  private static final RedisLink.Script END = RedisLink.Script.load("end.lua");

  private final Vertx vertx;
  private final RedisLink link;
  private final String prefix;
  private final Store store;
  private final AccessControl local;
  private final boolean failOpen;
  private final InstantSource clock;
  private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final AtomicLong holds = new AtomicLong();
  /** Guarded by itself: settlements waiting for Redis to answer again. */
  private final ArrayDeque<Ending> pending = new ArrayDeque<>();

  RedisAdmission(Vertx vertx, RedisLink link, String prefix, Store store, AccessControl local, boolean failOpen,
      InstantSource clock) {
    this.vertx = vertx;
    this.link = link;
    this.prefix = prefix;
    this.store = store;
    this.local = local;
    this.failOpen = failOpen;
    this.clock = clock;
    link.whenUp(this::flushPending);
  }

  @Override
  public Future<GatewayError> admit(Exchange exchange, Catalog.Route route, List<Deployment> order) {
    Principal p = exchange.principal();
    if (p.master()) return ADMITTED;
    GatewayError forbidden = AccessControl.forbidden(p, route);
    if (forbidden != null) return Future.succeededFuture(forbidden);
    Limits keyLimits = p.key().limits();
    Limits teamLimits = p.team() == null ? Limits.NONE : p.team().limits();
    boolean budgeted = local.budgets().budgeted(p);
    if (keyLimits.none() && teamLimits.none() && !budgeted) return ADMITTED;
    if (!link.up()) return unavailable(exchange, route, order, null);
    boolean tokens = keyLimits.tpm() != null || teamLimits.tpm() != null;
    Estimate estimate = tokens || budgeted ? Estimate.of(exchange, order) : null;
    long worst = budgeted ? BudgetBook.worstCase(order, estimate) : 0;
    Call call = new Call(exchange, p, keyLimits, teamLimits, tokens ? estimate : null, estimate,
        budgeted ? accounts(p, clock.millis()) : List.of(), worst);
    Context context = Vertx.currentContext();
    Promise<GatewayError> answer = Promise.promise();
    attempt(call, 1).onComplete(ar -> {
      Runnable finish = () -> {
        if (exchange.ended() && !(ar.succeeded() && ar.result() != Decision.REDIS_DOWN)) {
          answer.complete(null); // the client left while Redis was answering: the router drops the exchange
        } else if (ar.succeeded() && ar.result() != Decision.REDIS_DOWN) {
          answer.complete(decide(call, ar.result()));
        } else {
          unavailable(exchange, route, order, ar.failed() ? ar.cause() : null).onComplete(answer);
        }
      };
      if (context == null) finish.run();
      else context.runOnContext(v -> finish.run()); // headers and whenEnded belong to the exchange's event loop
    });
    return answer.future();
  }

  /** Redis cannot answer: this instance's own limits (open), or a failed admission, which the router makes a 503. */
  private Future<GatewayError> unavailable(Exchange exchange, Catalog.Route route, List<Deployment> order,
      Throwable cause) {
    if (failOpen) return local.admit(exchange, route, order);
    return Future.failedFuture(cause != null ? cause.getMessage() : "Redis at " + link.where() + " is unreachable");
  }

  /** What the script said, or that Redis could not be reached (then the caller falls back). */
  private record Decision(Response reply) {
    static final Decision REDIS_DOWN = new Decision(null);
  }

  private Future<Decision> attempt(Call call, int attempt) {
    return link.eval(ADMIT, call.keys, call.args).transform(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof Response) { // Redis answered with an error: a bug, or a Redis that refuses scripts
          log.error("the admission script failed in Redis at {}: {}", link.where(), ar.cause().toString());
          return Future.failedFuture(ar.cause());
        }
        return Future.succeededFuture(Decision.REDIS_DOWN);
      }
      Response r = ar.result();
      if (!"missing".equals(r.get(0).toString())) return Future.succeededFuture(new Decision(r));
      if (attempt >= LOAD_ATTEMPTS) {
        return Future.failedFuture("budget accounts did not stay in Redis at " + link.where() + " (evicted? "
            + "maxmemory-policy must be noeviction)");
      }
      List<Account> missing = new ArrayList<>();
      for (int i = 1; i < r.size(); i++) missing.add(call.accounts.get(r.get(i).toInteger() - 1));
      return load(missing).compose(v -> attempt(call, attempt + 1));
    });
  }

  /**
   * Loads accounts from the ledger into Redis: on a worker (the store blocks), then SET if not there, so that of two
   * instances loading at once the first wins and neither overwrites what has been counted since.
   */
  private Future<Void> load(List<Account> missing) {
    return vertx.executeBlocking(() -> {
      List<Long> spent = new ArrayList<>(missing.size());
      for (Account a : missing) {
        spent.add(BudgetBook.units(store.spentSince(a.keyId, a.teamId, a.start), RoundingMode.CEILING));
      }
      return spent;
    }, false).compose(spent -> {
      List<Future<Response>> writes = new ArrayList<>();
      for (int i = 0; i < missing.size(); i++) {
        Account a = missing.get(i);
        writes.add(link.send(Request.cmd(Command.HSETNX).arg(a.hash).arg("spent").arg(spent.get(i)))
            .compose(r -> a.end == Long.MAX_VALUE ? Future.succeededFuture(r)
                : link.send(Request.cmd(Command.PEXPIREAT).arg(a.hash).arg(a.end + ACCOUNT_GRACE_MS))));
      }
      return Future.all(writes).mapEmpty();
    });
  }

  /** On the exchange's event loop: headers, the refusal or the hold. */
  private GatewayError decide(Call call, Decision d) {
    Response r = d.reply;
    Exchange exchange = call.exchange;
    Principal p = call.principal;
    RateLimitHeaders.Style style = RateLimitHeaders.style(exchange.errors());
    HttpServerResponse response = exchange.response();
    boolean headers = style != RateLimitHeaders.Style.NONE
        && (RateLimiter.paced(call.keyLimits) || RateLimiter.paced(call.teamLimits));
    String status = r.get(0).toString();
    if (exchange.ended()) { // the client left while Redis was answering: its response is closed to headers
      if ("ok".equals(status)) new Ending(call).end(null);
      return null;
    }
    long wall = clock.millis();
    switch (status) {
      case "limit" -> {
        boolean byTeam = r.get(1).toInteger() == 2;
        Allowance.Dimension dim = Allowance.Dimension.values()[r.get(2).toInteger() - 1];
        long waitMs = r.get(6).toLong();
        Allowance.Shortfall s = new Allowance.Shortfall(dim, r.get(3).toLong(), r.get(4).toLong(),
            r.get(5).toLong(), waitMs < 0 ? -1 : waitMs * 1000);
        long[] view = headers ? view(r, 7, byTeam ? RateLimiter.TEAM : 0) : null;
        return RateLimiter.refusal(p, byTeam, s, call.rateEstimate, style, response, view,
            byTeam ? RateLimiter.TEAM : 0, wall).error();
      }
      case "budget" -> {
        Account a = call.accounts.get(r.get(1).toInteger() - 1);
        return BudgetBook.refusal(a.budget, a.keyId != null, p, Long.parseLong(r.get(2).toString()),
            Long.parseLong(r.get(3).toString()), r.get(4).toLong(), call.worst, call.estimate, a.end);
      }
      default -> {
        if (headers) {
          long[] view = new long[2 * RateLimiter.TEAM];
          for (int i = 0; i < view.length; i++) view[i] = r.get(2 + i).toLong();
          for (int i = 2; i < view.length; i += 3) view[i] *= 1000; // milliseconds to micros
          RateLimitHeaders.put(style, response, view, RateLimiter.binding(view, 0), RateLimiter.binding(view, 3),
              wall);
        }
        if (!call.accounts.isEmpty()) {
          long left = Long.MAX_VALUE;
          for (int i = 0; i < call.accounts.size(); i++) {
            long used = Long.parseLong(r.get(2 + 2 * RateLimiter.TEAM + i).toString());
            left = Math.min(left, call.accounts.get(i).limit - used - call.worst);
          }
          response.putHeader(BudgetBook.X_BUDGET_REMAINING, BudgetBook.plain(left));
        }
        exchange.whenEnded(new Ending(call)::end);
        return null;
      }
    }
  }

  /** The refusing scope's view, from the reply at {@code from}, placed at {@code at} of a fresh view array. */
  private static long[] view(Response r, int from, int at) {
    long[] view = new long[2 * RateLimiter.TEAM];
    java.util.Arrays.fill(view, -1);
    for (int i = 0; i < 6; i++) view[at + i] = r.get(from + i).toLong();
    view[at + 2] *= 1000;
    view[at + 5] *= 1000;
    return view;
  }

  /** The budget accounts of a request: every budget of its key, then of its team; one per subject and period. */
  private List<Account> accounts(Principal p, long now) {
    Map<String, Account> byHash = new LinkedHashMap<>();
    for (Budget b : p.key().budgets()) add(byHash, BudgetBook.keySubject(p.key().id()), p.key().id(), null, b, now);
    if (p.team() != null) {
      for (Budget b : p.team().budgets()) add(byHash, BudgetBook.teamSubject(p.team().id()), null, p.team().id(), b, now);
    }
    return new ArrayList<>(byHash.values());
  }

  private void add(Map<String, Account> byHash, String subject, String keyId, String teamId, Budget b, long now) {
    long start = b.period().start(now);
    String hash = prefix + ":budget:" + subject + ":" + b.period().label() + ":" + start;
    long limit = BudgetBook.units(b.usd(), RoundingMode.FLOOR);
    Account a = byHash.get(hash);
    // Two budgets of one period on one subject share the account: the smaller is the one that binds.
    if (a == null || limit < a.limit) {
      byHash.put(hash, new Account(hash, keyId, teamId, b, limit, start, b.period().end(now)));
    }
  }

  /** @param end when the account's window ends, Long.MAX_VALUE for a total budget */
  private record Account(String hash, String keyId, String teamId, Budget budget, long limit, long start, long end) {}

  /** One admission's script arguments, kept for its ending. */
  private final class Call {
    final Exchange exchange;
    final Principal principal;
    final Limits keyLimits;
    final Limits teamLimits;
    final Estimate rateEstimate;
    final Estimate estimate;
    final List<Account> accounts;
    final long worst;
    final long tokens;
    final String hold;
    final List<String> keys = new ArrayList<>();
    final List<String> args = new ArrayList<>();

    Call(Exchange exchange, Principal p, Limits keyLimits, Limits teamLimits, Estimate rateEstimate,
        Estimate estimate, List<Account> accounts, long worst) {
      this.exchange = exchange;
      this.principal = p;
      this.keyLimits = keyLimits;
      this.teamLimits = teamLimits;
      this.rateEstimate = rateEstimate;
      this.estimate = estimate;
      this.accounts = accounts;
      this.worst = worst;
      this.tokens = rateEstimate == null ? 0 : rateEstimate.tokens();
      this.hold = instance + "-" + holds.incrementAndGet();
      keys.add(prefix + ":rl:key:" + p.key().id());
      keys.add(prefix + ":rl:team:" + (p.team() == null ? "-" : p.team().id()));
      for (Account a : accounts) {
        keys.add(a.hash);
        keys.add(a.hash + ":holds");
      }
      args.add(Long.toString(tokens));
      limits(args, keyLimits);
      limits(args, teamLimits);
      args.add(Long.toString(worst));
      args.add(hold);
      args.add(Long.toString(HOLD_TTL_MS));
      args.add(Integer.toString(accounts.size()));
      for (Account a : accounts) {
        args.add(Long.toString(a.limit));
        args.add(Long.toString(a.end == Long.MAX_VALUE ? 0 : a.end + ACCOUNT_GRACE_MS));
      }
    }
  }

  private static void limits(List<String> args, Limits l) {
    args.add(l.rpm() == null ? "-1" : l.rpm().toString());
    args.add(l.tpm() == null ? "-1" : l.tpm().toString());
    args.add(l.concurrency() == null ? "-1" : l.concurrency().toString());
  }

  /** What one admitted exchange gives back when it ends. */
  private final class Ending {
    private final Call call;
    private List<String> args;
    private List<String> keys;

    Ending(Call call) {
      this.call = call;
    }

    /** @param record null when the exchange ended before admission answered: nothing was used */
    void end(ExchangeRecord record) {
      long delta = record == null ? -call.tokens : RateLimiter.actualTokens(record, call.tokens) - call.tokens;
      long cost = record == null ? 0 : BudgetBook.charge(record, call.worst);
      args = new ArrayList<>();
      args.add(Long.toString(delta));
      limits(args, call.keyLimits);
      limits(args, call.teamLimits);
      args.add(Long.toString(cost));
      args.add(call.hold + ":" + call.worst);
      args.add(Integer.toString(call.accounts.size()));
      args.add(Long.toString(2 * HOLD_TTL_MS));
      keys = new ArrayList<>(call.keys);
      keys.add(prefix + ":settled:" + call.hold);
      send();
    }

    void send() {
      link.eval(END, keys, args).onFailure(e -> {
        if (e instanceof Response) {
          log.error("settling a request in Redis failed: {}", e.toString());
          return;
        }
        synchronized (pending) {
          if (pending.size() < MAX_PENDING) pending.add(this);
        }
      });
    }
  }

  private void flushPending() {
    List<Ending> out;
    synchronized (pending) {
      out = new ArrayList<>(pending);
      pending.clear();
    }
    if (!out.isEmpty()) log.info("sending {} settlements kept while Redis was unreachable", out.size());
    for (Ending e : out) e.send();
  }
}
