package dev.switchboard.sim;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated deployment: its HTTP server (OpenAI, Anthropic, Gemini and Bedrock routes on one port), its fault,
 * whether it is listening, and its prompt cache.
 *
 * <p>Thread-safe. The fault is read by event loops on every request and set from any thread. Listening follows the
 * state ({@code not stopped, no REFUSE fault, region up}); each change queues one reconciliation on {@link #transitions},
 * so closes and re-listens never overlap, and each returns a future that completes once the server matches the state:
 * after a close, once the port refuses connections (and can be bound again), not merely once Vert.x reports it closed.
 */
final class Deployment implements SimDeployment {
  private static final Logger LOG = LoggerFactory.getLogger(Deployment.class);

  private final SimDeploymentSpec spec;
  private final SimContext context;
  private final String host;
  private final String urlHost;
  private final OpenAiRoutes openAi;
  private final AnthropicRoutes anthropic;
  private final BedrockRoutes bedrock;
  private final GeminiRoutes gemini;
  private final PromptCache promptCache = new PromptCache(PromptCache.DEFAULT_CAPACITY);
  private final AtomicReference<ActiveFault> fault = new AtomicReference<>();
  private volatile boolean regionDown;
  private volatile int port;
  private HttpServer server; // guarded by this
  private boolean stopped; // guarded by this
  private Future<Void> transitions = Future.succeededFuture(); // guarded by this

  /** A fault plus how many more requests it applies to (ignored when the fault's count is 0). */
  record ActiveFault(Fault fault, AtomicInteger remaining) {}

  Deployment(SimDeploymentSpec spec, SimContext context, String host) {
    this.spec = spec;
    this.context = context;
    this.host = host;
    // A wildcard bind address is not something a client can connect to; advertise loopback instead.
    this.urlHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
    this.port = spec.port();
    this.openAi = new OpenAiRoutes(this);
    this.anthropic = new AnthropicRoutes(this);
    this.bedrock = new BedrockRoutes(this);
    this.gemini = new GeminiRoutes(this);
  }

  SimDeploymentSpec spec() {
    return spec;
  }

  SimContext context() {
    return context;
  }

  /** The prompt prefixes this deployment has cached; shared by both protocols, as one backend's cache would be. */
  PromptCache promptCache() {
    return promptCache;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public String region() {
    return spec.region();
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String baseUrl() {
    return "http://" + urlHost + ":" + port + "/v1";
  }

  @Override
  public String anthropicBaseUrl() {
    return "http://" + urlHost + ":" + port;
  }

  @Override
  public String geminiBaseUrl() {
    return "http://" + urlHost + ":" + port;
  }

  @Override
  public String bedrockBaseUrl() {
    return "http://" + urlHost + ":" + port;
  }

  @Override
  public List<String> models() {
    return spec.models();
  }

  @Override
  public String toString() {
    return "SimDeployment[" + name() + " " + baseUrl() + "]";
  }

  Future<Void> start() {
    return reconcile();
  }

  Future<Void> stop() {
    synchronized (this) {
      stopped = true;
    }
    return reconcile();
  }

  Future<Void> setFault(Fault f) {
    fault.set(f == null ? null : new ActiveFault(f, new AtomicInteger(f.count())));
    return reconcile();
  }

  Future<Void> setRegionDown(boolean down) {
    regionDown = down;
    return reconcile();
  }

  boolean regionDown() {
    return regionDown;
  }

  synchronized boolean listening() {
    return server != null;
  }

  /** The current fault and its remaining count, or null. */
  ActiveFault activeFault() {
    return fault.get();
  }

  /**
   * The fault that applies to the request now arriving, or null; consumes one use of a counted fault and clears it
   * after the last use.
   */
  Fault takeFault() {
    while (true) {
      ActiveFault af = fault.get();
      if (af == null) return null;
      if (af.fault().count() == 0) return af.fault();
      int left = af.remaining().getAndDecrement();
      if (left > 1) return af.fault();
      fault.compareAndSet(af, null);
      if (left == 1) return af.fault();
      // Another thread took the last use; a newer fault may have been set meanwhile.
    }
  }

  private synchronized Future<Void> reconcile() {
    Future<Void> next = transitions.transform(ignored -> apply());
    transitions = next;
    return next;
  }

  private Future<Void> apply() {
    boolean want;
    HttpServer current;
    synchronized (this) {
      ActiveFault af = fault.get();
      want = !stopped && !regionDown && (af == null || af.fault().kind() != Fault.Kind.REFUSE);
      current = server;
    }
    if (want && current == null) {
      HttpServer s = context.vertx().createHttpServer(options()).requestHandler(this::route);
      return s.listen(port, host).<Void>map(bound -> {
        synchronized (this) {
          server = bound;
        }
        port = bound.actualPort();
        return null;
      }).onFailure(t -> LOG.warn("{}: cannot listen on {}:{}: {}", name(), host, port, t.toString()));
    }
    if (!want && current != null) {
      synchronized (this) {
        server = null;
      }
      // close() also drops open connections, as a dead host would. It completes before the socket stops listening
      // (see PortRelease), so wait for that too: a caller that saw REFUSE applied must get "connection refused".
      return current.close().compose(v -> PortRelease.await(context.vertx()));
    }
    return Future.succeededFuture();
  }

  /**
   * The protocols share the port: Bedrock's requests are told apart by their {@code /model/} paths, Gemini's by their
   * {@code /v1beta/} paths, Anthropic's by path and {@code anthropic-version}; the rest are OpenAI's.
   */
  private void route(HttpServerRequest req) {
    if (BedrockRoutes.claims(req)) bedrock.handle(req);
    else if (GeminiRoutes.claims(req)) gemini.handle(req);
    else if (AnthropicRoutes.claims(req)) anthropic.handle(req);
    else openAi.handle(req);
  }

  private HttpServerOptions options() {
    return new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        // HTTP/1.1 and cleartext HTTP/2 with prior knowledge on the same port: the AWS SDKs' async clients speak h2c
        // to an http:// endpoint (PROTOCOLS.md 0.4). Faults that reset reset the HTTP/2 stream, not the connection
        // (Exchange.resetConnection), so one exchange's fault does not break the others multiplexed beside it.
        .setHttp2ClearTextEnabled(true)
        // Closing a socket sends RST instead of FIN, which is how RESET and CUT faults reach the client. Vert.x only
        // closes a connection itself on those faults, on "Connection: close" and on shutdown, and on loopback the
        // bytes written before the close are already in the peer's receive queue.
        .setSoLinger(0)
        .setReuseAddress(true);
  }
}
