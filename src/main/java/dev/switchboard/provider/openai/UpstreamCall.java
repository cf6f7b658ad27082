package dev.switchboard.provider.openai;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * One upstream exchange of the same-protocol fast path, from connect to the last byte relayed.
 *
 * <p>The client's response head is held back until the upstream's first body byte, so that every failure
 * before that point (refused, reset, timeout, an error status) is still a clean error response — and, later,
 * a silent retry elsewhere. After that, bytes flow through unbuffered with back-pressure: when the client's
 * write queue is full the upstream read is paused until it drains, so memory stays bounded by one chunk.
 *
 * <p>Streams pass through an {@link OpenAiStreamFilter}, which reads the usage chunk; of a plain answer the last few
 * KiB are kept to read its usage at the end. A stream that ends without {@code data: [DONE]} gets an in-stream error, never a clean end.
 *
 * <p>Threading: every callback runs on the client connection's event loop (the pooled upstream connection
 * is bound to the caller's loop), so the fields need no synchronisation.
 */
final class UpstreamCall extends DeadlineSweeper.Watched {
  private static final int ERROR_BODY_LIMIT = 64 * 1024;
  /** How much of the end of a plain answer is kept to read its usage (which follows the choices or the data). */
  private static final int USAGE_TAIL = 4 * 1024;
  private static final CharSequence X_PROVIDER = HttpHeaders.createOptimized("x-switchboard-provider");
  private static final CharSequence X_MODEL = HttpHeaders.createOptimized("x-switchboard-upstream-model");
  private static final CharSequence X_UPSTREAM_ID = HttpHeaders.createOptimized("x-upstream-request-id");

  private enum Phase { CONNECTING, WAITING, RELAYING }

  private final OpenAiCompatibleProvider provider;
  private final Exchange exchange;
  private final RequestOptions options;
  private final Buffer body;
  private final boolean clientWantsUsage;
  private final SwitchboardConfig.Timeouts timeouts;
  private final long startNanos = System.nanoTime();

  private Phase phase = Phase.CONNECTING;
  private boolean finished;
  private HttpClientRequest upstreamRequest;
  private HttpClientResponse upstreamResponse;
  private long lastActivityNanos;
  private DeadlineSweeper sweeper;

  private OpenAiStreamFilter filter;
  /** The last bytes of a plain answer, where its usage is; null for streams. */
  private Buffer plainTail;
  /** The piece of a plain answer received but not yet written (see {@link #onPlainChunk}). */
  private Buffer pending;

  UpstreamCall(OpenAiCompatibleProvider provider, Exchange exchange, RequestOptions options, Buffer body,
      boolean clientWantsUsage) {
    this.provider = provider;
    this.exchange = exchange;
    this.options = options;
    this.body = body;
    this.clientWantsUsage = clientWantsUsage;
    this.timeouts = provider.settings().timeouts();
  }

  void start() {
    exchange.onClientGone(this::clientGone);
    sweeper = DeadlineSweeper.current(provider.vertx());
    sweeper.watch(this);
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
      provider.putHeaders(req, exchange, body);
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

  private void onResponse(HttpClientResponse resp) {
    if (finished) return;
    upstreamResponse = resp;
    int status = resp.statusCode();
    if (status < 200 || status >= 300) {
      collectError(resp);
      return;
    }
    HttpServerResponse out = exchange.response();
    out.setStatusCode(status);
    String contentType = resp.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) out.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    out.putHeader(X_PROVIDER, provider.name());
    String upstreamModel = exchange.upstreamModel();
    if (upstreamModel != null) out.putHeader(X_MODEL, upstreamModel);
    String upstreamId = resp.getHeader("x-request-id");
    if (upstreamId != null) out.putHeader(X_UPSTREAM_ID, upstreamId);

    boolean sse = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (sse) {
      out.setChunked(true);
      out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      filter = new OpenAiStreamFilter(clientWantsUsage);
    } else if (length != null) {
      out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      out.setChunked(true);
    }
    out.drainHandler(v -> {
      if (!finished) resp.resume();
    });
    resp.handler(sse ? this::onStreamChunk : this::onPlainChunk);
    resp.exceptionHandler(this::onBroken);
    resp.endHandler(v -> onEnd());
  }

  // ---- relaying -------------------------------------------------------------------------------

  /**
   * A plain answer is relayed one piece behind: each piece is written when the next arrives, and the last
   * goes out with the end. A one-piece answer (the usual case) then leaves as head, body and end in a single
   * write and system call instead of three; nothing waits for more than one upstream read.
   */
  private void onPlainChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    plainTail = OpenAiUsage.keepTail(plainTail, chunk, USAGE_TAIL);
    if (pending != null) write(pending);
    pending = chunk;
  }

  private void onStreamChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    Buffer out = filter.next(chunk);
    if (out != null) write(out);
  }

  private void write(Buffer data) {
    HttpServerResponse out = exchange.response();
    if (!out.headWritten()) exchange.firstByteSent();
    out.write(data);
    if (out.writeQueueFull()) upstreamResponse.pause();
  }

  private void onEnd() {
    if (finished) return;
    if (filter != null && !filter.sawDone() && !filter.sawError()) {
      fail(UpstreamErrors.broken(provider.name(), "the stream ended without [DONE]"), "truncated");
      return;
    }
    finished = true;
    stopWatching();
    if (!exchange.response().headWritten()) exchange.firstByteSent();
    exchange.complete(filter == null ? pending : filter.rest(),
        filter == null ? OpenAiUsage.fromTail(plainTail) : filter.usage());
  }

  private void onBroken(Throwable cause) {
    if (finished) return;
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    fail(UpstreamErrors.broken(provider.name(), detail), "truncated");
  }

  // ---- errors ---------------------------------------------------------------------------------

  private void collectError(HttpClientResponse resp) {
    Buffer errorBody = Buffer.buffer();
    resp.handler(chunk -> {
      if (errorBody.length() < ERROR_BODY_LIMIT) {
        errorBody.appendBuffer(chunk, 0, Math.min(chunk.length(), ERROR_BODY_LIMIT - errorBody.length()));
      }
    });
    resp.exceptionHandler(t -> fail(UpstreamErrors.fromResponse(provider.name(), resp, errorBody), "upstream_error"));
    resp.endHandler(v -> fail(UpstreamErrors.fromResponse(provider.name(), resp, errorBody), "upstream_error"));
  }

  private void fail(GatewayError error, String outcome) {
    if (finished) return;
    finished = true;
    stopWatching();
    if (upstreamRequest != null && (upstreamResponse == null || !"upstream_error".equals(outcome))) {
      upstreamRequest.reset();
    }
    exchange.fail(error, outcome);
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    stopWatching();
    // Closing the upstream connection is how an HTTP/1.1 upstream learns to stop generating.
    if (upstreamRequest != null) upstreamRequest.reset();
  }

  // ---- deadlines ------------------------------------------------------------------------------

  private void firstByte() {
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
