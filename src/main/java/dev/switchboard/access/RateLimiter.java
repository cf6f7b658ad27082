package dev.switchboard.access;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.util.Ticker;
import io.vertx.core.http.HttpServerResponse;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute, tokens per minute and concurrent requests, per key and per team: a team's limits hold over
 * all its keys together, on top of each key's own. Each key and team has an {@link Allowance} (token buckets that
 * refill continuously, and an in-flight count), kept in memory on this instance.
 *
 * <p>A request is counted against its key, then its team, all or none: when the team refuses, the key's count is
 * undone. Tokens are counted on the admission estimate (input tokens plus the most output it may produce) and
 * corrected by the upstream's actual usage when the exchange ends. A refusal is a 429 naming the limit, with
 * Retry-After, except for a request that exceeds a whole tokens-per-minute limit on its own: it can never fit, so
 * its 429 carries {@code x-should-retry: false} and no Retry-After.
 *
 * <p>Limits are read from the principal on every request, so a changed key or team applies at once. Keys and teams
 * without limits (and the master key, which admission lets through before this) cost one check and no state.
 * Thread-safe: called concurrently from every event loop; the only locks are per key and per team, held for a few
 * additions.
 */
public final class RateLimiter {
  /** What one admitted exchange holds; given back when it ends. Each is used once, on the exchange's event loop. */
  interface Permit {
    /** The exchange ended: frees its concurrency slot and corrects its token count by the actual usage. */
    void ended(ExchangeRecord record);

    /** Admission refused the exchange after the limiter let it in (its budget said no): undo the count. */
    void cancel();
  }

  static final Permit NONE = new Permit() {
    @Override
    public void ended(ExchangeRecord record) {}

    @Override
    public void cancel() {}
  };

  /** Where the team's view starts in the view array; the key's starts at 0. Each is six longs (see Allowance.take). */
  static final int TEAM = 6;
  /** A concurrency slot frees when some request ends, which cannot be foreseen: the client is told to retry soon. */
  private static final long CONCURRENCY_RETRY_SECONDS = 1;

  private final Ticker ticker;
  private final InstantSource wall;
  private final ConcurrentHashMap<String, Allowance> keys = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Allowance> teams = new ConcurrentHashMap<>();

  public RateLimiter() {
    this(Ticker.system(), InstantSource.system());
  }

  /**
   * @param ticker the time the buckets refill by
   * @param wall the wall clock, only for Anthropic's reset headers, which are moments rather than durations
   */
  RateLimiter(Ticker ticker, InstantSource wall) {
    this.ticker = ticker;
    this.wall = wall;
  }

  /** True when some limit of this caller counts tokens, so admission must estimate them. */
  boolean countsTokens(Principal p) {
    return p.key().limits().tpm() != null || (p.team() != null && p.team().limits().tpm() != null);
  }

  /**
   * Counts the exchange against its key's and team's limits, and puts the rate-limit headers of the client's
   * protocol on its response (the head has not been written yet).
   *
   * @param estimate null unless {@link #countsTokens} said so
   * @throws Refusal a 429 naming the limit, with Retry-After
   */
  Permit acquire(Exchange exchange, Principal p, Estimate estimate) {
    return acquire(p, estimate, RateLimitHeaders.style(exchange.errors()), exchange.response());
  }

  /** {@link #acquire(Exchange, Principal, Estimate)} with the header style and the response (null for none). */
  Permit acquire(Principal p, Estimate estimate, RateLimitHeaders.Style style, HttpServerResponse response) {
    Limits keyLimits = p.key().limits();
    Limits teamLimits = p.team() == null ? Limits.NONE : p.team().limits();
    if (keyLimits.none() && teamLimits.none()) return NONE;
    long tokens = estimate == null ? 0 : estimate.tokens();
    long now = ticker.read();
    long[] view = null;
    if (response != null && style != RateLimitHeaders.Style.NONE && (paced(keyLimits) || paced(teamLimits))) {
      view = new long[2 * TEAM];
      Arrays.fill(view, -1);
    }
    Allowance key = null;
    if (!keyLimits.none()) {
      key = allowance(keys, p.key().id(), now);
      Allowance.Shortfall s = key.take(keyLimits, tokens, now, view, 0);
      if (s != null) throw refusal(p, false, s, estimate, style, response, view, 0, wall.millis());
    }
    Allowance team = null;
    if (!teamLimits.none()) {
      team = allowance(teams, p.team().id(), now);
      Allowance.Shortfall s = team.take(teamLimits, tokens, now, view, TEAM);
      if (s != null) {
        if (key != null) key.untake(keyLimits, tokens, now);
        throw refusal(p, true, s, estimate, style, response, view, TEAM, wall.millis());
      }
    }
    if (view != null) {
      // One set of headers per dimension: the scope with less left binds.
      RateLimitHeaders.put(style, response, view, binding(view, 0), binding(view, 3), wall.millis());
    }
    return new Held(key, keyLimits, team, teamLimits, tokens);
  }

  static boolean paced(Limits l) {
    return l.rpm() != null || l.tpm() != null;
  }

  private static Allowance allowance(ConcurrentHashMap<String, Allowance> map, String id, long now) {
    Allowance a = map.get(id);
    return a != null ? a : map.computeIfAbsent(id, k -> new Allowance(now));
  }

  /** The offset of the key's or the team's view of the dimension at {@code d} (0 requests, 3 tokens) to show. */
  static int binding(long[] view, int d) {
    int k = d;
    int t = TEAM + d;
    if (view[t] < 0) return k;
    if (view[k] < 0) return t;
    if (view[t + 1] != view[k + 1]) return view[t + 1] < view[k + 1] ? t : k;
    return view[t + 2] > view[k + 2] ? t : k;
  }

  /**
   * The 429 for a shortfall of the key ({@code byTeam} false) or the team, with the headers of the refusing scope's
   * view ({@code view[at..at+5]}, or none when {@code view} is null). Shared with the Redis-backed admission.
   */
  static Refusal refusal(Principal p, boolean byTeam, Allowance.Shortfall s, Estimate estimate,
      RateLimitHeaders.Style style, HttpServerResponse response, long[] view, int at, long wallMillis) {
    if (view != null) RateLimitHeaders.put(style, response, view, at, at + 3, wallMillis);
    String scope = byTeam ? "team '" + p.team().name() + "' (shared by all its keys)"
        : "key '" + p.key().name() + "' (" + p.key().prefix() + ")";
    String raise = "ask an administrator to raise its %s ('switchboard " + (byTeam ? "teams" : "keys") + " update')";
    long seconds = s.waitMicros() < 0 ? CONCURRENCY_RETRY_SECONDS
        : Math.max(1, Math.ceilDiv(s.waitMicros(), 1_000_000));
    String size = estimate == null ? s.needed() + " tokens"
        : s.needed() + " tokens (about " + estimate.inputTokens + " input plus up to " + estimate.maxOutputTokens
            + " output, the request's max_tokens or the model's maximum)";
    String message = switch (s.dimension()) {
      case REQUESTS -> "Rate limit reached: " + scope + " allows " + s.limit()
          + (s.limit() == 1 ? " request" : " requests") + " per minute and has used them; the next request fits in "
          + seconds + " s (Retry-After). Wait that long and retry, or "
          + raise.formatted("requests per minute");
      case TOKENS -> s.never()
          ? "Request too large for the rate limit: " + scope + " allows " + s.limit() + " tokens per minute, and this "
              + "request counts as " + size + ", so it can never be admitted. Lower max_tokens or send less input, "
              + "or " + raise.formatted("tokens per minute")
          : "Rate limit reached: " + scope + " allows " + s.limit() + " tokens per minute and has " + s.left()
              + " left; this request counts as " + size + ", and they fit in " + seconds + " s (Retry-After). Wait "
              + "that long and retry, lower max_tokens, or " + raise.formatted("tokens per minute");
      case CONCURRENCY -> "Concurrency limit reached: " + scope + " allows " + s.limit() + " request"
          + (s.limit() == 1 ? "" : "s") + " at a time and has " + s.limit() + " running. Retry when one has finished, "
          + "or "
          + raise.formatted("concurrency");
    };
    message += ".";
    GatewayError error = GatewayError.of(429, GatewayError.Kind.RATE_LIMIT, message, "rate_limit_exceeded");
    if (s.never()) {
      // Retrying cannot help; the Stainless SDKs (OpenAI, Anthropic) obey this header and give up at once.
      if (response != null) response.putHeader("x-should-retry", "false");
      return new Refusal(error);
    }
    return new Refusal(error.withRetryAfter(seconds));
  }

  /** See {@code Held.actual}: shared with the Redis-backed admission. */
  static long actualTokens(ExchangeRecord record, long estimated) {
    if (record.usage() != null) return record.usage().totalTokens();
    return record.firstByteNanos() >= 0 ? estimated : 0;
  }

  /** The counts one admitted exchange holds in its key's and team's allowances. */
  private final class Held implements Permit {
    private final Allowance key;
    private final Limits keyLimits;
    private final Allowance team;
    private final Limits teamLimits;
    private final long tokens;
    private boolean done;

    Held(Allowance key, Limits keyLimits, Allowance team, Limits teamLimits, long tokens) {
      this.key = key;
      this.keyLimits = keyLimits;
      this.team = team;
      this.teamLimits = teamLimits;
      this.tokens = tokens;
    }

    @Override
    public void ended(ExchangeRecord record) {
      if (done) return;
      done = true;
      long delta = actual(record) - tokens;
      long now = ticker.read();
      if (key != null) key.ended(keyLimits, delta, now);
      if (team != null) team.ended(teamLimits, delta, now);
    }

    /**
     * The tokens the exchange really used: the upstream's input plus output. Without usage, an exchange whose answer
     * had begun may well have been charged, so it keeps its estimate; one that failed before any answer (refused,
     * upstream error, client gone early) used none, as providers do not charge for those.
     */
    private long actual(ExchangeRecord record) {
      return actualTokens(record, tokens);
    }

    @Override
    public void cancel() {
      if (done) return;
      done = true;
      long now = ticker.read();
      if (key != null) key.untake(keyLimits, tokens, now);
      if (team != null) team.untake(teamLimits, tokens, now);
    }
  }
}
