package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.function.Function;

/**
 * One inference request (OpenAI chat or embeddings, Anthropic messages, Gemini generation, Bedrock converse or
 * invoke) from arrival to its single ledger entry.
 *
 * <p>All methods run on the connection's event loop (the request handler's, and timers set from it run there too), so
 * the fields need no synchronisation. The exchange owns the response: it ends it, resets the connection, or notices the
 * client leaving ({@code closeHandler}) and then cancels its timer so nothing more is generated.
 */
final class Exchange {
  /** The HTTP/2 error code a reset stream carries. */
  private static final long INTERNAL_ERROR = 0x2;

  final Deployment deployment;
  final HttpServerRequest request;
  final HttpServerResponse response;
  final String requestId;
  final String endpoint;
  /** Renders an error in the protocol the client speaks; may also set that protocol's error headers. */
  private final Function<ApiError, Buffer> errorBody;
  /** When the request arrived, on the deployment's ticker: the origin of the latencies Bedrock reports. */
  private final long startNanos;
  String model = "";
  boolean stream;
  /** Prompt tokens neither read from nor written to the prompt cache. */
  int promptTokens;
  int cacheReadTokens;
  int cacheWriteTokens;
  /** Completion tokens written so far; what the ledger records if the exchange ends early. */
  int sentTokens;
  /** A CUT fault to apply while answering, or null. */
  Fault cut;
  /** Extra wait before the response head (SLOW_FIRST_BYTE). */
  long extraDelayMillis;
  private boolean finished;
  private long timerId = -1;

  Exchange(Deployment deployment, HttpServerRequest request, String requestId, String endpoint,
      Function<ApiError, Buffer> errorBody) {
    this.deployment = deployment;
    this.request = request;
    this.response = request.response();
    this.requestId = requestId;
    this.endpoint = endpoint;
    this.errorBody = errorBody;
    this.startNanos = deployment.context().ticker().read();
    // Called when the connection closes before the response ended: the client went away (or we reset it ourselves,
    // in which case finish() already ran and this is a no-op).
    response.closeHandler(v -> {
      cancelTimer();
      finish("cancelled");
    });
  }

  boolean finished() {
    return finished;
  }

  /** Milliseconds since the request arrived. */
  long elapsedMillis() {
    return (deployment.context().ticker().read() - startNanos) / 1_000_000;
  }

  /** Records the ledger entry, once; later calls are ignored. */
  void finish(String outcome) {
    if (finished) return;
    finished = true;
    SimDeploymentSpec spec = deployment.spec();
    deployment.context().ledger().record(requestId, spec.name(), spec.region(), model, endpoint, stream, promptTokens,
        sentTokens, cacheReadTokens, cacheWriteTokens, outcome);
  }

  /** Runs {@code task} after {@code millis} unless the client leaves first; 0 runs it now. */
  void after(long millis, Runnable task) {
    if (finished) return;
    if (millis <= 0) {
      task.run();
      return;
    }
    timerId = deployment.context().vertx().setTimer(millis, id -> {
      timerId = -1;
      if (!finished) task.run();
    });
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      deployment.context().vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  /**
   * Applies the deployment's fault, if any, to this request. Returns true when the fault has answered (or
   * deliberately not answered) the request; false when the request goes on, possibly slowed or set to be cut.
   *
   * @param statusError the protocol's error body for a STATUS fault's status
   */
  boolean applyFault(Fault f, java.util.function.IntFunction<ApiError> statusError) {
    if (f == null) return false;
    switch (f.kind()) {
      case STATUS -> {
        if (f.retryAfterSeconds() > 0) response.putHeader("retry-after", Integer.toString(f.retryAfterSeconds()));
        fail(statusError.apply(f.status()), "fault:status");
        return true;
      }
      case RESET, REFUSE -> { // REFUSE here means the request raced the server's close
        finish("fault:" + f.kind().wireName());
        resetConnection();
        return true;
      }
      case HANG -> {
        return true; // say nothing; the close handler records the client giving up
      }
      case SLOW_FIRST_BYTE -> extraDelayMillis = f.delayMillis();
      case CUT -> cut = f;
    }
    return false;
  }

  /** Answers with the protocol's error body; the ledger outcome is {@code error:<status>} unless given. */
  void fail(ApiError e, String outcome) {
    if (finished) return;
    response.setStatusCode(e.status).putHeader("content-type", Wire.JSON);
    finish(outcome != null ? outcome : "error:" + e.status);
    Buffer body = errorBody.apply(e); // before end(): it may add headers
    response.end(body);
  }

  /** Ends the exchange with a complete JSON body, or, under a CUT fault, with part of it and a reset. */
  void sendJson(Buffer body, int completionTokens) {
    if (finished) return;
    response.putHeader("content-type", Wire.JSON);
    if (cut != null) {
      response.putHeader("content-length", Integer.toString(body.length()));
      Buffer part = body.getBuffer(0, body.length() / 2);
      finish("cut");
      response.write(part).onComplete(ar -> resetConnection());
      return;
    }
    sentTokens = completionTokens;
    finish("completed");
    response.end(body);
  }

  /**
   * Drops the TCP connection, or over HTTP/2 resets just this exchange's stream ({@code INTERNAL_ERROR}), since the
   * connection may carry other exchanges. The deployment's servers use {@code SO_LINGER 0}, so an HTTP/1.1 client sees
   * a reset, not a clean end of stream. Terminal; call {@link #finish} first so the close handler does not record it
   * as cancelled.
   */
  void resetConnection() {
    if (request.version() == HttpVersion.HTTP_2) response.reset(INTERNAL_ERROR);
    else request.connection().close();
  }

}
