package dev.switchboard.provider.openai;

import dev.switchboard.canonical.Usage;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.Bytes;
import dev.switchboard.stream.SseSplitter;
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
 * <p>Streams are cut at SSE event boundaries only to read the usage chunk and to drop it when the client
 * did not ask for it; whole runs of events are written as slices of the received buffer, without copies.
 * A stream that ends without {@code data: [DONE]} gets an in-stream error, never a clean end.
 *
 * <p>Threading: every callback runs on the client connection's event loop (the pooled upstream connection
 * is bound to the caller's loop), so the fields need no synchronisation.
 */
final class UpstreamCall {
  private static final byte[] DATA = Bytes.ascii("data:");
  private static final byte[] DONE = Bytes.ascii("[DONE]");
  private static final byte[] ERROR_KEY = Bytes.ascii("\"error\"");
  private static final byte[] USAGE_KEY = Bytes.ascii("\"usage\":");
  private static final int ERROR_BODY_LIMIT = 64 * 1024;
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
  private long timerId = -1;

  private boolean sse;
  private SseSplitter splitter;
  private Buffer carry;
  private boolean sawDone;
  private boolean sawUpstreamError;
  private Usage usage;

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
    armTimer(Math.min(timeouts.firstByte().toNanos(), timeouts.total().toNanos()));
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

    sse = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (sse) {
      out.setChunked(true);
      out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      splitter = new SseSplitter();
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

  private void onPlainChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    write(chunk);
  }

  private void onStreamChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    Buffer buf;
    int scanFrom;
    if (carry != null) {
      scanFrom = carry.length();
      buf = carry.appendBuffer(chunk);
      carry = null;
    } else {
      scanFrom = 0;
      buf = chunk;
    }
    int runStart = 0;
    int eventStart = 0;
    Buffer out = null;
    for (int end = splitter.nextBoundary(buf, scanFrom); end >= 0; end = splitter.nextBoundary(buf, end)) {
      if (!keep(buf, eventStart, end)) {
        out = append(out, buf, runStart, eventStart);
        runStart = end;
      }
      eventStart = end;
    }
    out = append(out, buf, runStart, eventStart);
    if (eventStart < buf.length()) carry = buf.getBuffer(eventStart, buf.length());
    if (out != null) write(out);
  }

  /** Reads one event; returns false for the usage chunk the client did not ask for. */
  private boolean keep(Buffer buf, int from, int to) {
    int d = Bytes.indexOf(buf, from, to, DATA);
    if (d < 0) return true;
    int p = d + DATA.length;
    if (p < to && buf.getByte(p) == ' ') p++;
    if (Bytes.startsWith(buf, p, to, DONE)) {
      sawDone = true;
      return true;
    }
    if (p >= to || buf.getByte(p) != '{') return true;
    if (Bytes.startsWith(buf, Bytes.skipSpace(buf, p + 1, to), to, ERROR_KEY)) {
      sawUpstreamError = true;
      return true;
    }
    int u = Bytes.indexOf(buf, p, to, USAGE_KEY);
    if (u < 0) return true;
    int v = Bytes.skipSpace(buf, u + USAGE_KEY.length, to);
    if (v >= to || buf.getByte(v) != '{') return true;
    int lineEnd = p;
    while (lineEnd < to && buf.getByte(lineEnd) != '\n' && buf.getByte(lineEnd) != '\r') lineEnd++;
    OpenAiUsage.Found found = OpenAiUsage.read(buf, p, lineEnd);
    if (found == null) return true;
    usage = found.usage();
    return clientWantsUsage || !found.emptyChoices();
  }

  private static Buffer append(Buffer out, Buffer buf, int from, int to) {
    if (from >= to) return out;
    if (out == null) return buf.slice(from, to);
    Buffer joined = Buffer.buffer(out.length() + to - from);
    return joined.appendBuffer(out).appendBuffer(buf, from, to - from);
  }

  private void write(Buffer data) {
    HttpServerResponse out = exchange.response();
    if (!out.headWritten()) exchange.firstByteSent();
    out.write(data);
    if (out.writeQueueFull()) upstreamResponse.pause();
  }

  private void onEnd() {
    if (finished) return;
    if (sse && !sawDone && !sawUpstreamError) {
      fail(UpstreamErrors.broken(provider.name(), "the stream ended without [DONE]"), "truncated");
      return;
    }
    finished = true;
    cancelTimer();
    if (!exchange.response().headWritten()) exchange.firstByteSent();
    exchange.complete(null, usage);
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
    cancelTimer();
    if (upstreamRequest != null && (upstreamResponse == null || !"upstream_error".equals(outcome))) {
      upstreamRequest.reset();
    }
    exchange.fail(error, outcome);
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    cancelTimer();
    // Closing the upstream connection is how an HTTP/1.1 upstream learns to stop generating.
    if (upstreamRequest != null) upstreamRequest.reset();
  }

  // ---- deadlines ------------------------------------------------------------------------------

  private void firstByte() {
    lastActivityNanos = System.nanoTime();
    phase = Phase.RELAYING;
  }

  private void armTimer(long delayNanos) {
    long ms = Math.max(1, delayNanos / 1_000_000);
    timerId = provider.vertx().setTimer(ms, id -> onTimer());
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      provider.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** One timer serves all three deadlines: it re-arms itself for whichever is next. */
  private void onTimer() {
    timerId = -1;
    if (finished) return;
    long now = System.nanoTime();
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
    } else {
      armTimer(deadline - now);
    }
  }

  private String url() {
    return provider.settings().baseUrl().toString();
  }
}
