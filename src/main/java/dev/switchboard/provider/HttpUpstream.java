package dev.switchboard.provider;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream reached over HTTP: the pooled clients, the base URL and the calls that all provider adapters
 * share. Subclasses add their protocol: the headers they send and how they encode and decode.
 *
 * <p>One client (and so one connection pool) per event loop: a pool shared by all loops hands a request on
 * loop A a connection bound to loop B, and every read and write then hops threads (measured: about 9% of
 * CPU in wake-ups). With a pool per loop, both sides of an exchange stay on one loop (STYLE.md, point 8).
 * Keep-alive HTTP/1.1, or HTTP/2 negotiated by ALPN over TLS.
 */
public abstract class HttpUpstream implements ChatBackend {
  private final Vertx vertx;
  private final SwitchboardConfig.Provider settings;
  private final HttpClientOptions clientOptions;
  private final PoolOptions poolOptions;
  private final ThreadLocal<HttpClientAgent> clients;
  private final List<HttpClientAgent> allClients = new CopyOnWriteArrayList<>();
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final List<String> credentials;

  protected HttpUpstream(Vertx vertx, SwitchboardConfig.Provider settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.credentials = credentials(settings);
    URI base = settings.baseUrl();
    this.ssl = "https".equals(base.getScheme());
    this.host = base.getHost();
    this.port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeouts().connect().toMillis()))
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setName("provider-" + settings.name());
    if (ssl) {
      options.setSsl(true);
      if (settings.caFile() != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(settings.caFile().toString()));
      }
      if (settings.http2()) {
        options.setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2);
      }
    }
    this.clientOptions = options;
    this.poolOptions = new PoolOptions().setHttp1MaxSize(settings.maxConnections()).setHttp2MaxSize(
        Math.max(1, settings.maxConnections() / 64));
    this.clients = ThreadLocal.withInitial(() -> {
      HttpClientAgent c = vertx.createHttpClient(clientOptions, poolOptions);
      allClients.add(c);
      return c;
    });
  }

  @Override
  public String name() {
    return settings.name();
  }

  public SwitchboardConfig.Provider settings() {
    return settings;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The calling event loop's own client. */
  public HttpClientAgent client() {
    return clients.get();
  }

  /** A request to {@code <base_url><path>}. */
  public RequestOptions requestOptions(HttpMethod method, String path) {
    return new RequestOptions().setMethod(method).setHost(host).setPort(port).setSsl(ssl).setURI(basePath + path);
  }

  /**
   * The error a client sees for an upstream's error answer (status not 2xx; {@code body} possibly cut at
   * 64 KiB). The default reads the common {@code {"error":{"message"}}} shapes; protocols with their own
   * error semantics override it (Gemini answers a bad key with 400, which must not reach the client as
   * the client's mistake).
   */
  protected GatewayError upstreamError(io.vertx.core.http.HttpClientResponse resp, Buffer body) {
    return UpstreamErrors.fromResponse(name(), resp, body);
  }

  /**
   * {@link #upstreamError} with this provider's own credentials cut out of the message: some servers quote the key
   * they refused, and the client must never learn the operator's key. Credentials shorter than 8 characters (local
   * servers' placeholders such as "none") are left alone, since replacing them would mangle ordinary words.
   */
  final GatewayError upstreamErrorForClient(io.vertx.core.http.HttpClientResponse resp, Buffer body) {
    GatewayError e = upstreamError(resp, body);
    String message = e.message();
    if (message == null) return e;
    for (String secret : credentials) message = message.replace(secret, "<redacted>");
    return message.equals(e.message()) ? e
        : new GatewayError(e.status(), e.kind(), message, e.param(), e.code(), e.retryAfterSeconds());
  }

  private static List<String> credentials(SwitchboardConfig.Provider settings) {
    List<String> out = new ArrayList<>();
    for (String c : new String[] {settings.apiKey(),
        settings.awsCredentials() == null ? null : settings.awsCredentials().secretAccessKey(),
        settings.awsCredentials() == null ? null : settings.awsCredentials().sessionToken()}) {
      if (c != null && c.length() >= 8) out.add(c);
    }
    return List.copyOf(out);
  }

  /** The Retry-After hint of an upstream's answer, in seconds, or -1 for none: for {@link #upstreamError}. */
  protected static long retryAfterSeconds(io.vertx.core.http.HttpClientResponse resp) {
    return UpstreamErrors.retryAfterSeconds(resp);
  }

  private static final CharSequence USER_AGENT = io.vertx.core.http.HttpHeaders.createOptimized("switchboard/0.1");
  private static final CharSequence X_REQUEST_ID = io.vertx.core.http.HttpHeaders.createOptimized("x-request-id");

  /**
   * Sets every upstream request's headers: the JSON body's type and length, the user agent and the exchange's
   * request id (so one id follows the request into the provider's logs), then the protocol's own. Headers are
   * put on the request directly: building a MultiMap for RequestOptions first costs a second map and a copy.
   */
  final void putRequestHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    req.putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, dev.switchboard.util.MediaTypes.APPLICATION_JSON)
        .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()))
        .putHeader(io.vertx.core.http.HttpHeaders.USER_AGENT, USER_AGENT)
        .putHeader(X_REQUEST_ID, exchange.requestId());
    putHeaders(req, exchange, body);
  }

  /** Adds the protocol's own headers (credentials, version, signature) to an upstream request. */
  protected abstract void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body);

  /**
   * Sends {@code body} to {@code path} and hands the decoded answer to the client's {@code sink}; see
   * {@link TranslateCall}. In strict mode ({@link Exchange#strict()}) a request that lost features on the way
   * ({@code dropped}) is refused with a 400 naming them instead, before anything is sent.
   */
  protected final void translate(Exchange exchange, String path, Buffer body, boolean stream, AnswerSink sink,
      TranslateCall.Decoding decoding, List<String> dropped) {
    if (exchange.strict() && !dropped.isEmpty()) {
      exchange.fail(GatewayError.invalid("Strict mode: provider '" + name() + "' cannot carry these parts of the "
          + "request: " + String.join("; ", dropped) + ". Remove them, choose another model, or turn strict mode "
          + "off (header x-switchboard-strict, or the model's strict setting).", null, "strict_translation"),
          "rejected");
      return;
    }
    new TranslateCall(this, exchange, requestOptions(HttpMethod.POST, path), body, stream, sink, decoding).start();
  }

  /**
   * Sends a GET and reads the {@code data[].id} of the model list it answers (the shape OpenAI and
   * Anthropic share), for discovery.
   */
  protected final Future<List<String>> fetchModelIds(RequestOptions request, long timeoutMillis) {
    request.setTimeout(timeoutMillis).setConnectTimeout(timeoutMillis);
    return client().request(request)
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == 200 ? resp.body()
            : Future.failedFuture(name() + " answered " + resp.statusCode() + " to GET " + request.getURI()))
        .map(buf -> {
          List<String> ids = new ArrayList<>();
          Json.MAPPER.readTree(buf.getBytes()).path("data").forEach(m -> {
            String id = m.path("id").asString(null);
            if (id != null) ids.add(id);
          });
          return ids;
        });
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpClientAgent c : allClients) closing.add(c.close());
    return Future.all(closing).mapEmpty();
  }
}
