package dev.switchboard.provider.openai;

import dev.switchboard.util.MediaTypes;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.codec.openai.OpenAiChatCodec;
import dev.switchboard.codec.openai.OpenAiStreamDecoder;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.provider.ChatBackend;
import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Any OpenAI-compatible upstream: OpenAI itself, Azure OpenAI's v1 endpoint, vLLM, Ollama, llama.cpp's
 * server and most hosts of open models. Requests from OpenAI clients take the same-protocol fast path:
 * the body is relayed with only the model name and credentials rewritten (see {@link RelayCall}).
 *
 * <p>One pooled client per provider, keep-alive HTTP/1.1, or HTTP/2 negotiated by ALPN over TLS. The pool
 * uses the caller's event loop, so each upstream exchange runs on its client connection's loop.
 */
public final class OpenAiCompatibleProvider implements ChatBackend {
  private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("switchboard/0.1");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  private final Vertx vertx;
  private final SwitchboardConfig.Provider settings;
  private final HttpClientOptions clientOptions;
  private final PoolOptions poolOptions;
  /** One client (and so one connection pool) per event loop: see {@link #client()}. */
  private final ThreadLocal<HttpClientAgent> clients;
  private final List<HttpClientAgent> allClients = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final CharSequence authorization;

  public OpenAiCompatibleProvider(Vertx vertx, SwitchboardConfig.Provider settings) {
    this.vertx = vertx;
    this.settings = settings;
    URI base = settings.baseUrl();
    this.ssl = "https".equals(base.getScheme());
    this.host = base.getHost();
    this.port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.authorization = settings.apiKey() == null ? null : HttpHeaders.createOptimized("Bearer " + settings.apiKey());
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

  @Override
  public String describe() {
    return settings.name() + " (OpenAI-compatible, " + settings.baseUrl() + ")";
  }

  SwitchboardConfig.Provider settings() {
    return settings;
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * The calling event loop's own client. A pool shared by all loops hands a request on loop A a connection
   * bound to loop B, and every read and write then hops threads (measured: ~9% of CPU in wake-ups). With a
   * pool per loop, both sides of an exchange stay on one loop (STYLE.md, point 8).
   */
  HttpClientAgent client() {
    return clients.get();
  }

  /**
   * Relays one request to {@code <base_url><path>} and its answer back to the exchange's client. The body
   * must already carry the upstream model name. Ends the exchange, successfully or not.
   */
  public void relay(Exchange exchange, String path, Buffer body, boolean clientWantsUsage) {
    new RelayCall(this, exchange, requestOptions(path), body, clientWantsUsage).start();
  }

  RequestOptions requestOptions(String path) {
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(basePath + path);
  }

  /**
   * Sets the upstream request's headers directly on it: building a MultiMap for RequestOptions first costs
   * a second map and a copy per request.
   */
  void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    req.putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON)
        .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()))
        .putHeader(HttpHeaders.USER_AGENT, USER_AGENT)
        .putHeader(X_REQUEST_ID, exchange.requestId());
    if (authorization != null) req.putHeader(HttpHeaders.AUTHORIZATION, authorization);
  }

  /**
   * Serves a client of another protocol: the canonical request is encoded as an OpenAI chat request, and
   * the answer decoded back for the client's {@link AnswerSink}.
   */
  @Override
  public void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(request, upstreamModel);
    dropped.addAll(encoded.dropped());
    new TranslateCall(this, exchange, requestOptions("/chat/completions"), encoded.body(), request.stream(), sink,
        DECODING).start();
  }

  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.create();

  private static final TranslateCall.Decoding DECODING = new TranslateCall.Decoding() {
    @Override
    public ChatResponse decode(Buffer body) {
      return CODEC.decodeResponse(body);
    }

    @Override
    public TranslateCall.StreamDecoding stream() {
      OpenAiStreamDecoder decoder = CODEC.streamDecoder(0);
      return new TranslateCall.StreamDecoding() {
        @Override
        public void feed(Buffer chunk, java.util.function.Consumer<StreamEvent> out) {
          decoder.decode(chunk).forEach(out);
        }

        @Override
        public void end(java.util.function.Consumer<StreamEvent> out) {
          decoder.end().forEach(out);
        }
      };
    }
  };

  /** Lists the upstream's models ({@code GET <base_url>/models}), for discovery. */
  public Future<List<String>> listModels(long timeoutMillis) {
    RequestOptions ro = new RequestOptions()
        .setMethod(HttpMethod.GET).setHost(host).setPort(port).setSsl(ssl).setURI(basePath + "/models")
        .setTimeout(timeoutMillis).setConnectTimeout(timeoutMillis);
    if (authorization != null) ro.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    return client().request(ro)
        .compose(req -> req.send())
        .compose(resp -> {
          if (resp.statusCode() != 200) {
            return Future.failedFuture(settings.name() + " answered " + resp.statusCode() + " to GET /models");
          }
          return resp.body();
        })
        .map(buf -> {
          JsonNode data = Json.MAPPER.readTree(buf.getBytes()).path("data");
          List<String> ids = new ArrayList<>();
          data.forEach(m -> {
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
