package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
import dev.switchboard.exchange.Attempts;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The attempts of one request: which deployment is tried next, whether a failure may be retried, and what each
 * attempt taught the deployments' health. Confined to the exchange's event loop.
 *
 * <p>A failure is retried when nothing has reached the client, the failure is the upstream's or the network's
 * (not the client's: 4xx other than 408, 409 and 429 stand), attempts remain, the model's deadline leaves time,
 * and the retry budget allows. The next attempt goes to the next deployment not yet tried, at once; when all have
 * been tried it goes to the best again after an exponential backoff with jitter, never sooner than a Retry-After.
 *
 * <p>With {@code retry.hedge_after}, a first attempt that has not begun to answer by then gets a twin on another
 * deployment, in another region where there is one (paid from a hedge budget as large as the retry budget and
 * apart from it, so hedges stay a bounded share of traffic and never starve real retries); the first of the two to
 * answer wins and the other is cancelled, and a failure of either while the other runs costs nothing.
 *
 * <p>A stream that broke after bytes reached the client is continued under the same rules, when the model
 * continues streams and its {@link Router.Resumable} says what was sent can be continued: the next attempt is then
 * a continuation, which the front door splices into the client's stream.
 */
final class RequestAttempts implements Attempts {
  static final CharSequence X_DEPLOYMENT = HttpHeaders.createOptimized("x-switchboard-deployment");
  static final CharSequence X_REGION = HttpHeaders.createOptimized("x-switchboard-region");
  static final CharSequence X_ATTEMPTS = HttpHeaders.createOptimized("x-switchboard-attempts");
  private static final CharSequence ONE = HttpHeaders.createOptimized("1");

  private final Vertx vertx;
  private final Ticker ticker;
  private final Exchange exchange;
  private final Catalog.Route route;
  private List<Deployment> order;
  private final java.util.function.Function<String, List<Deployment>> planner;
  /** Whether the request already moved to the model's overflow or content-filter alternative (once at most). */
  private boolean redirected;
  private final RetryBudget budget;
  /** Hedges have their own budget, so that they never starve the retries of failed requests. */
  private final RetryBudget hedgeBudget;
  private final Router.Sender sender;
  /** Null unless the model continues broken streams. */
  private final Router.Resumable resumable;
  private final long deadline;
  /** Deployments tried so far: a handful at most, so a list beats a set. */
  private final List<Deployment> tried = new java.util.ArrayList<>(2);

  private int attempts;
  private int backoffs;
  private Deployment current;
  /** Whether {@link #current} holds a concurrency slot and (maybe) the breaker's probe. */
  private boolean holding;
  private boolean answered;
  private long attemptStart;
  private long timer = -1;
  /** The number of {@link #current}'s attempt, and how to cancel it. */
  private int currentTag;
  private Runnable currentCancel;
  /** The hedged twin of the first attempt while it runs beside it; null otherwise. */
  private Deployment hedge;
  private int hedgeTag;
  private long hedgeStart;
  private Runnable hedgeCancel;
  private long hedgeTimer = -1;

  RequestAttempts(Vertx vertx, Ticker ticker, Exchange exchange, Catalog.Route route, List<Deployment> order,
      RetryBudget budget, RetryBudget hedgeBudget, Router.Sender sender, java.util.function.Function<String, List<Deployment>> planner,
      Router.Resumable resumable) {
    this.resumable = resumable;
    this.vertx = vertx;
    this.ticker = ticker;
    this.exchange = exchange;
    this.route = route;
    this.order = order;
    this.budget = budget;
    this.hedgeBudget = hedgeBudget;
    this.sender = sender;
    this.planner = planner;
    this.deadline = ticker.read() + route.policy().timeout().toNanos();
  }

  void start() {
    Deployment d = acquireNext(true);
    if (d == null) {
      exchange.fail(overloaded(), "rejected");
      return;
    }
    send(d);
  }

  /**
   * The first deployment in order, untried ones first, whose breaker and concurrency limit admit a request now;
   * on the first attempt, if every breaker refuses, the first one with room anyway (a last resort beats a
   * certain failure). Null when none has room.
   */
  private Deployment acquireNext(boolean first) {
    for (boolean untriedOnly : new boolean[] {true, false}) {
      for (Deployment d : order) {
        if (untriedOnly != tried.contains(d) && admits(d)) return d;
      }
    }
    if (first) {
      for (Deployment d : order) if (d.health.limit.tryAcquire()) return d;
    }
    return null;
  }

  private void send(Deployment d) {
    current = d;
    holding = true;
    answered = false;
    if (!tried.contains(d)) tried.add(d);
    attempts++;
    currentTag = attempts;
    currentCancel = null;
    attemptStart = ticker.read();
    name(d);
    exchange.attempt(currentTag);
    if (attempts == 1) scheduleHedge();
    if (exchange.trace() != null) exchange.trace().target(d.id(), d.region());
    sender.send(d);
  }

  /** Names {@code d} as what serves the exchange (the winner's name replaces a hedge loser's). */
  private void name(Deployment d) {
    exchange.route(exchange.model(), d.provider().name(), d.upstreamModel(), exchange.stream());
    if (!exchange.response().headWritten()) { // a continuation's head left with the first attempt's
      exchange.response().putHeader(X_DEPLOYMENT, d.id()).putHeader(X_REGION, d.region())
          .putHeader(X_ATTEMPTS, attempts == 1 ? ONE : Integer.toString(attempts));
    }
  }

  private void scheduleHedge() {
    java.time.Duration after = route.policy().retry().hedgeAfter();
    if (after == null || order.size() < 2) return;
    hedgeTimer = vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      hedgeTimer = -1;
      if (exchange.ended() || answered || hedge != null || attempts != 1 || exchange.response().headWritten()) return;
      Deployment d = acquireHedge();
      if (d == null) return;
      if (!hedgeBudget.tryRetry()) {
        release(d);
        return;
      }
      hedge = d;
      tried.add(d);
      attempts++;
      hedgeTag = attempts;
      hedgeCancel = null;
      hedgeStart = ticker.read();
      exchange.attempt(hedgeTag);
      if (exchange.trace() != null) exchange.trace().target(d.id(), d.region());
      sender.send(d);
    });
  }

  /**
   * The next untried deployment, one in another region than the first attempt's if there is one: what makes a
   * deployment slow (an overloaded or failing region) often makes its neighbours slow too.
   */
  private Deployment acquireHedge() {
    for (Deployment d : order) {
      if (!tried.contains(d) && !d.region().equals(current.region()) && admits(d)) return d;
    }
    return acquireUntried();
  }

  private void cancelHedgeTimer() {
    if (hedgeTimer >= 0) {
      vertx.cancelTimer(hedgeTimer);
      hedgeTimer = -1;
    }
  }

  @Override
  public void started(int number, Runnable cancel) {
    if (number == currentTag) currentCancel = cancel;
    else if (hedge != null && number == hedgeTag) hedgeCancel = cancel;
  }

  @Override
  public boolean absorbed(int number, GatewayError error, String outcome) {
    if (hedge == null) return false;
    boolean retryable = retryable(error, outcome);
    if (number == hedgeTag) {
      releaseSlot(hedge, retryable ? Result.FAILED : Result.CLIENT_ERROR, error, false);
      hedge = null;
      return true;
    }
    if (number != currentTag) return false;
    release(retryable ? Result.FAILED : Result.CLIENT_ERROR, error);
    promoteHedge();
    return true;
  }

  /** The hedge becomes the attempt of record. */
  private void promoteHedge() {
    current = hedge;
    currentTag = hedgeTag;
    currentCancel = hedgeCancel;
    attemptStart = hedgeStart;
    holding = true;
    answered = false;
    hedge = null;
    name(current);
  }

  @Override
  public boolean retry(GatewayError error, String outcome) {
    cancelHedgeTimer();
    if (current == null) return false; // a failure before any attempt (e.g. nothing had room)
    boolean retryable = retryable(error, outcome);
    release(retryable ? Result.FAILED : Result.CLIENT_ERROR, error);
    if (!retryable) return redirect(error, outcome);
    return another(error, outcome, false);
  }

  @Override
  public boolean resume(GatewayError error, String outcome) {
    if (resumable == null || current == null) return false;
    if (!retryable(error, outcome)) return false;
    release(Result.FAILED, error);
    return another(error, outcome, true);
  }

  /**
   * Starts or schedules the next attempt if the attempt limit, the deadline and the retry budget allow; for a
   * continuation, only once {@link #resumable} agreed (asked last, since it prepares the continuation).
   */
  private boolean another(GatewayError error, String outcome, boolean continuation) {
    if (attempts >= route.policy().retry().maxAttempts()) return false;
    long now = ticker.read();
    if (now - deadline >= 0) return false;
    Deployment next = acquireUntried();
    if (next != null) {
      if ((continuation && !resumable.resume()) || !budget.tryRetry()) {
        release(next);
        return false;
      }
      send(next);
      return true;
    }
    if (error.retryAfterSeconds() >= 0
        && TimeUnit.SECONDS.toNanos(error.retryAfterSeconds()) > route.policy().retry().maxBackoff().toNanos()) {
      return false; // the only deployments asked for a longer pause: the client hears so, with the Retry-After
    }
    long delay = backoffNanos(error);
    if (now + delay - deadline >= 0) return false;
    if ((continuation && !resumable.resume()) || !budget.tryRetry()) return false;
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delay));
    timer = vertx.setTimer(millis, id -> {
      timer = -1;
      if (exchange.ended()) return;
      Deployment again = acquireNext(false);
      if (again == null) {
        exchange.attempts(null);
        exchange.fail(error, outcome);
        return;
      }
      send(again);
    });
    return true;
  }

  /**
   * A request too large for the deployment (by the upstream's word) goes to the model's {@code
   * on_context_overflow} model, one refused by a content filter to its {@code on_content_filter} model: once, and
   * at once.
   */
  private boolean redirect(GatewayError error, String outcome) {
    if (redirected || "rejected".equals(outcome)) return false;
    String target = contextOverflow(error) ? route.policy().onContextOverflow()
        : contentFiltered(error) ? route.policy().onContentFilter() : null;
    if (target == null) return false;
    List<Deployment> next = planner.apply(target);
    if (next.isEmpty()) return false;
    redirected = true;
    order = next;
    tried.clear();
    Deployment d = acquireNext(true);
    if (d == null) return false;
    send(d);
    return true;
  }

  static boolean contextOverflow(GatewayError error) {
    if (error.status() != 400 && error.status() != 413) return false;
    if ("context_length_exceeded".equals(error.code())) return true;
    String m = error.message() == null ? "" : error.message().toLowerCase(java.util.Locale.ROOT);
    return m.contains("context length") || m.contains("context window") || m.contains("prompt is too long")
        || m.contains("maximum context") || m.contains("input is too long") || m.contains("too many input tokens")
        || m.contains("exceeds the maximum number of tokens");
  }

  static boolean contentFiltered(GatewayError error) {
    if (error.status() != 400 && error.status() != 403 && error.status() != 422) return false;
    String code = error.code() == null ? "" : error.code();
    if (code.equals("content_filter") || code.equals("content_policy_violation")) return true;
    String m = error.message() == null ? "" : error.message().toLowerCase(java.util.Locale.ROOT);
    return m.contains("content filter") || m.contains("content management policy") || m.contains("content policy");
  }

  private Deployment acquireUntried() {
    for (Deployment d : order) {
      if (!tried.contains(d) && admits(d)) return d;
    }
    return null;
  }

  /** Takes a concurrency slot and the breaker's admission for {@code d}; true when both were given. */
  private static boolean admits(Deployment d) {
    if (!d.health.limit.tryAcquire()) return false;
    if (d.health.breaker.tryAcquire()) return true;
    d.health.limit.release(false);
    return false;
  }

  private static void release(Deployment d) {
    d.health.limit.release(false);
    d.health.breaker.onAbandoned();
  }

  private long backoffNanos(GatewayError error) {
    var retry = route.policy().retry();
    long base = retry.backoff().toNanos() << Math.min(backoffs++, 20);
    long capped = Math.min(base, retry.maxBackoff().toNanos());
    // "Equal jitter": at least half the backoff, so retries spread out without collapsing to zero.
    long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    if (error.retryAfterSeconds() >= 0) delay = Math.max(delay, TimeUnit.SECONDS.toNanos(error.retryAfterSeconds()));
    return delay;
  }

  /** Upstream and network failures are retried; the client's own mistakes are not (but 408, 409, 429 are). */
  static boolean retryable(GatewayError error, String outcome) {
    if ("rejected".equals(outcome)) return false;
    int s = error.status();
    if (s == 408 || s == 409 || s == 429) return true;
    return s >= 500;
  }

  /** The last cost computed and what for: the header and the exchange record ask for the same one. */
  private dev.switchboard.canonical.Usage costedUsage;
  private Deployment costedAt;
  private java.math.BigDecimal cost;

  @Override
  public java.math.BigDecimal cost(dev.switchboard.canonical.Usage usage) {
    if (current == null) return null;
    if (usage != costedUsage || current != costedAt) {
      cost = Cost.of(current.price(), usage);
      costedUsage = usage;
      costedAt = current;
    }
    return cost;
  }

  @Override
  public String deployment() {
    return current == null ? null : current.id();
  }

  @Override
  public String region() {
    return current == null ? null : current.region();
  }

  @Override
  public int count() {
    return attempts;
  }

  @Override
  public void answered(int number) {
    cancelHedgeTimer();
    if (hedge != null) {
      if (number == hedgeTag) { // the twin answered first: the first attempt is given up
        if (currentCancel != null) currentCancel.run();
        // Slower than hedge_after and beaten: a failure to its breaker, or a hung deployment would keep getting
        // every first attempt for as long as hedges keep rescuing them.
        release(Result.FAILED, null);
        promoteHedge();
      } else {
        if (hedgeCancel != null) hedgeCancel.run();
        releaseSlot(hedge, Result.ABANDONED, null, false);
        hedge = null;
      }
    }
    if (current != null && !answered && attempts > 1) name(current); // the count grew since it was named
    if (current == null || answered) return;
    answered = true;
    current.health.breaker.onSuccess();
    current.health.timeToFirstByte.add((ticker.read() - attemptStart) / 1e6);
  }

  @Override
  public void ended(ExchangeRecord record) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    cancelHedgeTimer();
    if (hedge != null) { // the client left while both ran; each call cancelled itself
      releaseSlot(hedge, Result.ABANDONED, null, false);
      hedge = null;
    }
    if (current == null || !holding) return;
    switch (record.outcome()) {
      case "completed" -> {
        release(Result.OK, null);
        var usage = record.usage();
        long elapsed = ticker.read() - attemptStart;
        if (usage != null && usage.outputTokens() > 0 && elapsed > 0) {
          current.health.tokensPerSecond.add(usage.outputTokens() * 1e9 / elapsed);
        }
      }
      case "client_gone" -> release(answered ? Result.OK : Result.ABANDONED, null);
      default -> release(answered ? Result.FAILED : Result.CLIENT_ERROR, null);
    }
  }

  enum Result { OK, FAILED, CLIENT_ERROR, ABANDONED }

  private void release(Result result, GatewayError error) {
    if (!holding) return;
    holding = false;
    releaseSlot(current, result, error, answered);
  }

  /** Gives back {@code d}'s concurrency slot and tells its breaker how the attempt went. */
  private static void releaseSlot(Deployment d, Result result, GatewayError error, boolean answered) {
    Health h = d.health;
    h.attempts[result.ordinal()].increment();
    boolean overloaded = error != null && (error.status() == 429 || error.status() == 503 || error.status() == 529
        || "upstream_timeout".equals(error.code()));
    h.limit.release(overloaded);
    switch (result) {
      case OK -> {
        if (!answered) h.breaker.onSuccess(); // answered() has told it already
      }
      case CLIENT_ERROR -> h.breaker.onSuccess(); // a 400 is the client's; the deployment answered
      case FAILED -> h.breaker.onFailure(error != null && connectionLevel(error));
      case ABANDONED -> h.breaker.onAbandoned();
    }
  }

  /** Refused, reset, unreachable: the deployment is not there, so it is ejected at once. */
  private static boolean connectionLevel(GatewayError error) {
    return "upstream_unreachable".equals(error.code()) || "upstream_connect_timeout".equals(error.code());
  }

  private GatewayError overloaded() {
    return GatewayError.of(503, GatewayError.Kind.UNAVAILABLE, "Every deployment of model '" + route.model()
        + "' is at its concurrency limit; retry shortly.", "deployments_busy").withRetryAfter(1);
  }
}
