package dev.switchboard.exchange;

import dev.switchboard.access.Principal;
import dev.switchboard.util.MediaTypes;
import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One client request on its way through the gateway: the client's response, its id, how its protocol
 * spells errors, and the exchange's single ending. Front doors create it; providers finish it.
 *
 * <p>Threading: confined to the event loop of the client's connection (the upstream exchange runs on the
 * same loop, see {@code OpenAiCompatibleProvider}), so no field needs to be volatile.
 *
 * <p>Ending: exactly one of {@link #fail}, {@link #complete} or the client going away ends it; later calls
 * are ignored. Whoever registered {@link #onClientGone} is told when the client leaves first.
 */
public final class Exchange {
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  private static final CharSequence X_COST = HttpHeaders.createOptimized("x-switchboard-cost");


  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final String requestId;
  private final String endpoint;
  private final ErrorFormat errors;
  private final ExchangeObserver observer;
  private final long startNanos = System.nanoTime();

  private boolean ended;
  private Runnable onClientGone;
  /** The number of the upstream attempt being started; calls capture it to say which attempt they are. */
  private int attempt;
  private String model;
  private String provider;
  private String upstreamModel;
  private boolean stream;
  private boolean strict;
  private long firstByteNanos = -1;
  private Attempts attempts;
  private Principal principal = Principal.MASTER;
  private Buffer body;
  private Integer maxOutputTokens;
  private java.util.function.Consumer<ExchangeRecord> onEnded;
  private ExchangeTrace trace;
  // What an estimate needs if the exchange ends without the upstream's usage (see UsageEstimate).
  private boolean upstreamAnswered;
  private Usage usageSoFar;
  private long outputDeltas;
  private long outputChars;
  /** Non-null only when the key logs content: the request path of every other key pays one null check. */
  private ContentCopy copy;

  public Exchange(HttpServerRequest request, String endpoint, ErrorFormat errors, ExchangeObserver observer) {
    this.request = request;
    this.response = request.response();
    this.requestId = RequestIds.next();
    this.endpoint = endpoint;
    this.errors = errors;
    this.observer = observer;
    response.putHeader(X_REQUEST_ID, requestId);
    response.closeHandler(v -> clientGone());
  }

  public String requestId() {
    return requestId;
  }

  /** What the client called: {@code chat}, {@code embeddings}, {@code messages}, {@code converse}, {@code admin}, … */
  public String endpoint() {
    return endpoint;
  }

  public HttpServerRequest request() {
    return request;
  }

  public HttpServerResponse response() {
    return response;
  }

  public ErrorFormat errors() {
    return errors;
  }

  public boolean ended() {
    return ended;
  }

  public boolean stream() {
    return stream;
  }

  /**
   * True when a translation that would drop part of the request must refuse it instead: the model's
   * {@code strict} setting, or the request's {@code x-switchboard-strict: true} header.
   */
  public boolean strict() {
    return strict;
  }

  /** Sets strict mode; see {@link #strict()}. */
  public void strict(boolean modelStrict) {
    String header = request.getHeader("x-switchboard-strict");
    this.strict = header != null ? Boolean.parseBoolean(header.trim()) : modelStrict;
  }

  /** The model name the client asked for, once routed; null before. */
  public String model() {
    return model;
  }

  /** The upstream's model id, once routed; null before. */
  public String upstreamModel() {
    return upstreamModel;
  }

  /** Names what serves this exchange; called by the front door once routing has decided. */
  public void route(String model, String provider, String upstreamModel, boolean stream) {
    this.model = model;
    this.provider = provider;
    this.upstreamModel = upstreamModel;
    this.stream = stream;
  }

  /** Hands the exchange's upstream attempts to a router (see {@link Attempts}); set before the first attempt. */
  public void attempts(Attempts attempts) {
    this.attempts = attempts;
  }


  /** The exchange's trace, or null when tracing is off (then no hook costs more than this check). */
  public ExchangeTrace trace() {
    return trace;
  }

  /** Starts tracing the exchange; the gateway calls it once, as the exchange is created. */
  public void trace(ExchangeTrace trace) {
    this.trace = trace;
  }

  /** Who sent the request; the master key until authentication says otherwise. */
  public Principal principal() {
    return principal;
  }

  public void principal(Principal principal) {
    this.principal = principal;
    if (principal.key() != null && (principal.key().logContent()
        || principal.team() != null && principal.team().logContent())) {
      copy = new ContentCopy();
    }
  }

  /** The request body as read, or null before it is (or when there is none): admission estimates tokens from it. */
  public Buffer body() {
    return body;
  }

  public void body(Buffer body) {
    this.body = body;
  }

  /** The most output the client asked for ({@code max_tokens} and the like), or null when it set no limit. */
  public Integer maxOutputTokens() {
    return maxOutputTokens;
  }

  public void maxOutputTokens(Integer tokens) {
    this.maxOutputTokens = tokens;
  }

  /**
   * Runs {@code action} with the exchange's record when it ends, before the observers hear of it (admission settles
   * budgets and releases limits there). Called on the exchange's event loop; must be quick and must not throw.
   */
  public void whenEnded(java.util.function.Consumer<ExchangeRecord> action) {
    java.util.function.Consumer<ExchangeRecord> before = onEnded;
    this.onEnded = before == null ? action : before.andThen(action);
  }

  /** Runs {@code action} if the client goes away before the exchange ends (cancel the upstream there). */
  public void onClientGone(Runnable action) {
    Runnable before = onClientGone;
    // Several attempts can be in flight at once (a hedge): each is cancelled.
    this.onClientGone = before == null ? action : () -> {
      before.run();
      action.run();
    };
  }

  /** True when the key logs content: callers that have answer text to hand pass it to {@link #answerText}. */
  public boolean capturing() {
    return copy != null;
  }

  /** Answer bytes that went to the client, kept (bounded) when the key logs content; else nothing happens. */
  public void answerSent(Buffer data) {
    if (copy != null) copy.bytes(data);
  }

  /** Answer text of a translated stream, kept (bounded) when the key logs content; else nothing happens. */
  public void answerText(String delta) {
    if (copy != null) copy.text(delta);
  }

  /** The number of the upstream attempt being started (0 when no router numbers them). */
  public int attempt() {
    return attempt;
  }

  /** Numbers the upstream attempt about to start; the router calls it before each attempt. */
  public void attempt(int number) {
    this.attempt = number;
  }

  /** Upstream attempt {@code number} began a successful answer. */
  public void upstreamAnswered(int number) {
    upstreamAnswered = true;
    if (attempts != null) attempts.answered(number);
  }

  /**
   * Content of a stream went to the client: {@code deltas} text, tool-argument or reasoning deltas holding {@code
   * chars} characters (0 when relayed as bytes without being read). Only counted: should the stream end without the
   * upstream's usage, its output is estimated from these.
   */
  public void outputSent(int deltas, int chars) {
    outputDeltas += deltas;
    outputChars += chars;
  }

  /**
   * The latest usage an upstream reported during its stream (at its start, the input and cache tokens), kept in case
   * the stream ends without its final usage.
   */
  public void usageSoFar(Usage usage) {
    this.usageSoFar = usage;
  }

  /**
   * Upstream attempt {@code number} started and can be cancelled with {@code cancel} (when another attempt wins).
   */
  public void attemptStarted(int number, Runnable cancel) {
    if (attempts != null) attempts.started(number, cancel);
  }

  /**
   * Upstream attempt {@code number} failed. When another attempt of the exchange is still running, that one
   * carries on; otherwise this is {@link #fail}.
   */
  public void fail(int number, GatewayError error, String outcome) {
    if (ended) return;
    if (attempts != null && !response.headWritten() && attempts.absorbed(number, error, outcome)) return;
    fail(error, outcome);
  }

  /** Marks the moment the first response byte left for the client. */
  public void firstByteSent() {
    if (firstByteNanos < 0) firstByteNanos = System.nanoTime() - startNanos;
  }

  /**
   * Ends the exchange with an error. Before anything was sent the client gets a whole error response in
   * its protocol; during a stream it gets an in-stream error event and the end of the stream; during a
   * plain body the connection is reset, so a truncated body can never look complete. Terminal, unless the
   * attempts take the failure over: a retry before the first byte, a continuation of a broken stream after it.
   */
  public void fail(GatewayError error, String outcome) {
    if (ended) return;
    if (attempts != null && (response.headWritten() ? stream && attempts.resume(error, outcome)
        : attempts.retry(error, outcome))) {
      return;
    }
    ended = true;
    if (!response.headWritten()) {
      response.setStatusCode(errors.httpStatus(error));
      errors.putHeaders(error, response);
      response.putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
      if (error.retryAfterSeconds() >= 0) response.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
      if (error.status() == 401 || error.status() == 400 || error.status() == 404 || error.status() == 413
          || error.status() == 415 || GatewayError.INSUFFICIENT_QUOTA.equals(error.code())) {
        // Tells the SDKs not to retry a mistake that a retry cannot fix.
        response.putHeader("x-should-retry", "false");
      }
      response.end(errors.body(error, requestId));
    } else if (stream) {
      response.end(errors.streamEvent(error));
    } else {
      response.reset();
    }
    ended(record(error.status(), outcome, null));
  }

  /** Ends the exchange successfully after the body was relayed in full. Terminal. */
  public void complete(Buffer last, Usage usage) {
    if (ended) return;
    ended = true;
    if (attempts != null && usage != null && !response.headWritten()) {
      // Known only when the whole answer is here before its head leaves: plain answers, not streams.
      java.math.BigDecimal cost = attempts.cost(usage);
      if (cost != null) response.putHeader(X_COST, cost.toPlainString());
    }
    if (last == null) {
      response.end();
    } else {
      if (copy != null) copy.bytes(last);
      response.end(last);
    }
    ended(record(response.getStatusCode(), "completed", usage));
  }

  private void clientGone() {
    if (ended) return;
    ended = true;
    Runnable action = onClientGone;
    if (action != null) action.run();
    ended(record(499, "client_gone", null));
  }

  private void ended(ExchangeRecord record) {
    if (attempts != null) attempts.ended(record);
    if (onEnded != null) onEnded.accept(record);
    if (trace != null) trace.ended(record);
    observer.ended(record);
    if (copy != null) observer.content(record, copy.done(body, stream));
  }

  private ExchangeRecord record(int status, String outcome, Usage usage) {
    if (usage == null && upstreamAnswered) {
      // The upstream answered, so it bills this exchange, but its usage never arrived (a stream cut or left): an
      // estimate, flagged as one, rather than nothing. Failures before any answer are not billed and stay null.
      usage = UsageEstimate.of(body, usageSoFar, outputDeltas, outputChars);
    }
    Attempts a = attempts;
    return new ExchangeRecord(requestId, endpoint, model, provider, upstreamModel, stream, status, outcome, usage,
        System.nanoTime() - startNanos, firstByteNanos, a == null ? null : a.deployment(),
        a == null ? null : a.region(), a == null ? 0 : a.count(), a == null || usage == null ? null : a.cost(usage),
        principal.keyId(), principal.teamId(), System.currentTimeMillis());
  }
}
