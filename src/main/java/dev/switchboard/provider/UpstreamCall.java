package dev.switchboard.provider;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeTrace;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * One upstream exchange, from connect to the end of the answer: connecting, sending, error statuses,
 * timeouts and the client's hang-up. What happens to a successful answer is the subclass's: {@link RelayCall}
 * relays its bytes (same protocol); a translating call decodes it for another protocol's client.
 *
 * <p>The client's response head is held back until the upstream's first body byte, so that every failure
 * before that point (refused, reset, timeout, an error status) is still a clean error response — and, later,
 * a silent retry elsewhere.
 *
 * <p>Threading: every callback runs on the client connection's event loop (the pooled upstream connection
 * is bound to the caller's loop), so the fields need no synchronisation.
 */
public abstract class UpstreamCall extends DeadlineSweeper.Watched {
  private static final int ERROR_BODY_LIMIT = 64 * 1024;
  private static final CharSequence X_PROVIDER = HttpHeaders.createOptimized("x-switchboard-provider");
  private static final CharSequence X_MODEL = HttpHeaders.createOptimized("x-switchboard-upstream-model");
  private static final CharSequence X_UPSTREAM_ID = HttpHeaders.createOptimized("x-upstream-request-id");

  private enum Phase { CONNECTING, WAITING, RELAYING }

  protected final HttpUpstream provider;
  protected final Exchange exchange;
  private final RequestOptions options;
  private final Buffer body;
  private final SwitchboardConfig.Timeouts timeouts;
  private final long startNanos = System.nanoTime();

  private Phase phase = Phase.CONNECTING;
  /** True once the call has ended, one way or another; every callback checks it first. */
  protected boolean finished;
  private HttpClientRequest upstreamRequest;
  /** The upstream's answer once its head arrived. */
  protected HttpClientResponse upstreamResponse;
  private long lastActivityNanos;
  /** Which of the exchange's attempts this is (several may run at once when hedged). */
  private final int attempt;
  private DeadlineSweeper sweeper;

  protected UpstreamCall(HttpUpstream provider, Exchange exchange, RequestOptions options, Buffer body) {
    this.provider = provider;
    this.exchange = exchange;
    this.options = options;
    this.body = body;
    this.timeouts = provider.settings().timeouts();
    this.attempt = exchange.attempt();
  }

  public void start() {
    exchange.onClientGone(this::clientGone);
    exchange.attemptStarted(attempt, this::clientGone);
    sweeper = DeadlineSweeper.current(provider.vertx());
    sweeper.watch(this);
    ExchangeTrace trace = exchange.trace();
    if (trace != null) {
      trace.attemptStarted(attempt, provider.name(), provider.settings().type(), options.getHost(), options.getPort(),
          exchange.upstreamModel());
    }
    provider.client().request(options).onComplete(ar -> {
      if (ar.failed()) {
        fail(UpstreamErrors.unreachable(provider.name(), url(), ar.cause()), "upstream_error");
        return;
      }
      HttpClientRequest req = ar.result();
      if (finished) {
        req.reset();
        return;
      }
      upstreamRequest = req;
      try {
        // The attempt's span, not the exchange's: a provider's trace then shows which attempt it served. SigV4
        // signs only the headers it names, so this one may come before or after the signature.
        if (trace != null) trace.propagate(attempt, req);
        provider.putRequestHeaders(req, exchange, body);
      } catch (RuntimeException e) {
        // e.g. no AWS credentials to sign with: the operator's problem, so a 502 that says what is missing
        fail(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "Switchboard could not prepare the request for "
            + "provider '" + provider.name() + "': " + e.getMessage(), "upstream_credentials"), "upstream_error");
        return;
      }
      phase = Phase.WAITING;
      req.send(body).onComplete(rr -> {
        if (rr.failed()) {
          fail(UpstreamErrors.unreachable(provider.name(), url(), rr.cause()), "upstream_error");
        } else {
          onResponse(rr.result());
        }
      });
    });
  }

  /** The upstream broke off a stream before its proper end. */
  protected final void failTruncated(String detail) {
    fail(UpstreamErrors.broken(provider.name(), detail), "truncated");
  }

  private void onResponse(HttpClientResponse resp) {
    if (finished) return;
    upstreamResponse = resp;
    int status = resp.statusCode();
    if (status < 200 || status >= 300) {
      collectError(resp);
      return;
    }
    exchange.upstreamAnswered(attempt);
    onAnswer(resp);
  }

  /** A 2xx answer's head arrived: set up its handlers. */
  protected abstract void onAnswer(HttpClientResponse resp);

  /** Names what served the exchange on the client's response; call before the head is written. */
  protected final void putServedByHeaders(HttpServerResponse out, HttpClientResponse resp) {
    if (out.headWritten()) return; // a continuation: the head named the attempt that began the stream
    out.putHeader(X_PROVIDER, provider.name());
    String upstreamModel = exchange.upstreamModel();
    if (upstreamModel != null) out.putHeader(X_MODEL, upstreamModel);
    String upstreamId = resp.getHeader("x-request-id");
    if (upstreamId != null) out.putHeader(X_UPSTREAM_ID, upstreamId);
  }

  /** The upstream broke off the answer. */
  protected final void onBroken(Throwable cause) {
    if (finished) return;
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    fail(UpstreamErrors.broken(provider.name(), detail), "truncated");
  }

  /** Marks the call ended without failure; the caller then ends the exchange. */
  protected final void done() {
    finished = true;
    stopWatching();
  }

  // ---- errors ---------------------------------------------------------------------------------

  private void collectError(HttpClientResponse resp) {
    Buffer errorBody = Buffer.buffer();
    resp.handler(chunk -> {
      if (errorBody.length() < ERROR_BODY_LIMIT) {
        errorBody.appendBuffer(chunk, 0, Math.min(chunk.length(), ERROR_BODY_LIMIT - errorBody.length()));
      }
    });
    resp.exceptionHandler(t -> fail(provider.upstreamErrorForClient(resp, errorBody), "upstream_error"));
    resp.endHandler(v -> fail(provider.upstreamErrorForClient(resp, errorBody), "upstream_error"));
  }

  protected final void fail(GatewayError error, String outcome) {
    if (finished) return;
    finished = true;
    stopWatching();
    if (upstreamRequest != null && (upstreamResponse == null || !"upstream_error".equals(outcome))) {
      upstreamRequest.reset();
    }
    ExchangeTrace trace = exchange.trace();
    if (trace != null) trace.attemptFailed(attempt, error, outcome);
    exchange.fail(attempt, error, outcome);
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    stopWatching();
    ExchangeTrace trace = exchange.trace();
    if (trace != null) trace.attemptFailed(attempt, null, "cancelled");
    // Closing the upstream connection is how an HTTP/1.1 upstream learns to stop generating.
    if (upstreamRequest != null) upstreamRequest.reset();
  }

  // ---- deadlines ------------------------------------------------------------------------------

  /** A piece of the answer arrived: the first-byte deadline is met and the idle clock restarts. */
  protected final void firstByte() {
    lastActivityNanos = System.nanoTime();
    phase = Phase.RELAYING;
  }

  private void stopWatching() {
    sweeper.unwatch(this);
  }

  /** Checks the three deadlines: first byte (or idle once relaying) and total. */
  @Override
  void sweep(long now) {
    if (finished) {
      stopWatching();
      return;
    }
    long totalDeadline = startNanos + timeouts.total().toNanos();
    long phaseDeadline = phase == Phase.RELAYING
        ? lastActivityNanos + timeouts.idle().toNanos()
        : startNanos + timeouts.firstByte().toNanos();
    long deadline = Math.min(totalDeadline, phaseDeadline);
    if (now - deadline >= 0) {
      String which;
      long millis;
      if (deadline == totalDeadline) {
        which = "total";
        millis = timeouts.total().toMillis();
      } else if (phase == Phase.RELAYING) {
        which = "idle";
        millis = timeouts.idle().toMillis();
      } else {
        which = "first_byte";
        millis = timeouts.firstByte().toMillis();
      }
      fail(UpstreamErrors.timeout(provider.name(), which, millis), "timeout");
    }
  }

  private String url() {
    return provider.settings().baseUrl().toString();
  }
}
