package dev.switchboard.server;

import dev.switchboard.util.MediaTypes;
import dev.switchboard.access.Authenticator;
import dev.switchboard.admin.AdminApi;
import dev.switchboard.admin.RoutesEndpoint;
import dev.switchboard.exchange.ErrorFormat;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.codec.anthropic.AnthropicErrorFormat;
import dev.switchboard.codec.bedrock.BedrockErrorFormat;
import dev.switchboard.frontdoor.bedrock.BedrockFrontDoor;
import dev.switchboard.frontdoor.anthropic.AnthropicFrontDoor;
import dev.switchboard.frontdoor.openai.OpenAiErrorFormat;
import dev.switchboard.frontdoor.openai.OpenAiFrontDoor;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one request handler: routes by path to a front door, checks the key, reads the body, and
 * guards everything so that no exception can leave an exchange hanging (Vert.x sends no automatic 500).
 * Stateless and shared by every event loop.
 */
final class GatewayHandler implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
  private static final String MODELS_PREFIX = "/v1/models/";
  private static final String BEDROCK_PREFIX = "/model/";
  private static final String ROUTES_PREFIX = "/admin/routes/";
  private static final String ADMIN_PREFIX = "/admin/";
  private static final Buffer LIVE = Buffer.buffer("{\"status\":\"live\"}");

  private final Authenticator authenticator;
  private final OpenAiFrontDoor openai;
  private final AnthropicFrontDoor anthropic;
  private final BedrockFrontDoor bedrock;
  private final RoutesEndpoint routes;
  private final AdminApi adminApi;
  private final ExchangeObserver observer;
  private final long bodyLimit;
  private final Readiness readiness;
  private final MetricsEndpoint metrics;
  /** Null when tracing is off: then exchanges carry no trace. Set once, before the server listens. */
  private dev.switchboard.exchange.ExchangeTrace.Factory traces;

  GatewayHandler(Authenticator authenticator, OpenAiFrontDoor openai, AnthropicFrontDoor anthropic,
      BedrockFrontDoor bedrock, RoutesEndpoint routes, AdminApi adminApi, ExchangeObserver observer, long bodyLimit,
      Readiness readiness, MetricsEndpoint metrics) {
    this.authenticator = authenticator;
    this.openai = openai;
    this.anthropic = anthropic;
    this.bedrock = bedrock;
    this.routes = routes;
    this.adminApi = adminApi;
    this.observer = observer;
    this.bodyLimit = bodyLimit;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  /** Traces every exchange from now on; called before the server listens. */
  void traces(dev.switchboard.exchange.ExchangeTrace.Factory traces) {
    this.traces = traces;
  }

  @Override
  public void handle(HttpServerRequest req) {
    try {
      dispatch(req);
    } catch (Throwable t) {
      internalError(req.response(), t);
    }
  }

  private void dispatch(HttpServerRequest req) {
    String path = req.path();
    switch (path) {
      case "/v1/chat/completions" -> post(req, "chat", OpenAiErrorFormat.INSTANCE, openai::chat);
      case "/v1/embeddings" -> post(req, "embeddings", OpenAiErrorFormat.INSTANCE, openai::embeddings);
      case "/v1/messages" -> post(req, "messages", AnthropicErrorFormat.INSTANCE, anthropic::messages);
      case "/v1/messages/count_tokens" ->
          post(req, "count_tokens", AnthropicErrorFormat.INSTANCE, anthropic::countTokens);
      case "/v1/models" -> {
        // Both OpenAI and Anthropic SDKs call GET /v1/models; only Anthropic's send anthropic-version.
        if (req.getHeader("anthropic-version") != null) {
          get(req, "models", AnthropicErrorFormat.INSTANCE, anthropic::listModels);
        } else {
          get(req, "models", OpenAiErrorFormat.INSTANCE, openai::listModels);
        }
      }
      case "/health/live" -> plainJson(req.response(), 200, LIVE);
      case "/health/ready" -> ready(req.response());
      case "/metrics" -> metrics.handle(req);
      default -> {
        if (path.equals("/ui") || path.startsWith("/ui/")) {
          UiAssets.serve(req); // the dashboard's static files: no key (the data behind them needs the master key)
          return;
        }
        if (path.startsWith(BEDROCK_PREFIX)) {
          bedrock(req);
          return;
        }
        if (path.startsWith(ROUTES_PREFIX) && path.length() > ROUTES_PREFIX.length()) {
          String id = URLDecoder.decode(path.substring(ROUTES_PREFIX.length()), StandardCharsets.UTF_8);
          admin(req, OpenAiErrorFormat.INSTANCE, ex -> routes.explain(ex, id));
        } else if (path.startsWith(ADMIN_PREFIX)) {
          adminApi(req);
        } else if (path.startsWith(MODELS_PREFIX) && path.length() > MODELS_PREFIX.length()) {
          String id = URLDecoder.decode(path.substring(MODELS_PREFIX.length()), StandardCharsets.UTF_8);
          get(req, "models", OpenAiErrorFormat.INSTANCE, ex -> openai.getModel(ex, id));
        } else {
          Exchange ex = exchange(req, "unknown", OpenAiErrorFormat.INSTANCE);
          ex.fail(GatewayError.of(404, Kind.NOT_FOUND, "Unknown request URL: " + req.method() + " " + path
              + ". Switchboard serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/messages and "
              + "GET /v1/models; point an OpenAI SDK's base URL at http://<host>:<port>/v1 and an Anthropic SDK's "
              + "at http://<host>:<port>." + (path.startsWith("/v1/v1/") ? " This path has /v1 twice: the client's "
              + "base URL already ends in /v1 (an Anthropic SDK's must not)." : ""), "unknown_url"), "rejected");
        }
      }
    }
  }

  /**
   * {@code POST /model/{modelId}/converse[-stream]} and {@code /invoke[-with-response-stream]}. Authentication
   * needs the body (SigV4 signs its hash), so the front door checks it after reading.
   */
  private void bedrock(HttpServerRequest req) {
    String rest = req.path().substring(BEDROCK_PREFIX.length());
    int slash = rest.indexOf('/');
    String action = slash < 0 ? "" : rest.substring(slash + 1);
    boolean invoke = action.equals("invoke") || action.equals("invoke-with-response-stream");
    Exchange ex = invoke ? exchange(req, "invoke", BedrockErrorFormat.INVOKE)
        : exchange(req, "converse", BedrockErrorFormat.INSTANCE);
    if (slash <= 0 || !(invoke || action.equals("converse") || action.equals("converse-stream"))) {
      ex.fail(GatewayError.of(404, Kind.NOT_FOUND, "Unknown operation: " + req.method() + " " + req.path()
          + ". Switchboard serves POST /model/{modelId}/converse, /converse-stream, /invoke and "
          + "/invoke-with-response-stream.", "UnknownOperationException"), "rejected");
      return;
    }
    if (!allowed(ex, HttpMethod.POST)) return;
    // The raw (still percent-encoded) segment: model ids and ARNs arrive with %3A and %2F.
    String raw = rawPath(req).substring(BEDROCK_PREFIX.length());
    String segment = raw.substring(0, raw.indexOf('/'));
    boolean stream = action.endsWith("-stream");
    BodyReader.readJson(ex, bodyLimit, body -> {
      ex.body(body);
      try {
        if (invoke) bedrock.invoke(ex, body, segment, stream);
        else bedrock.converse(ex, body, segment, stream);
      } catch (Throwable t) {
        internalError(ex, t);
      }
    });
  }

  private static String rawPath(HttpServerRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private interface BodyHandler {
    void handle(Exchange exchange, Buffer body);
  }

  private interface NoBodyHandler {
    void handle(Exchange exchange);
  }

  private void post(HttpServerRequest req, String endpoint, ErrorFormat errors, BodyHandler handler) {
    Exchange ex = exchange(req, endpoint, errors);
    if (!allowed(ex, HttpMethod.POST) || !authenticated(ex)) return;
    BodyReader.readJson(ex, bodyLimit, body -> {
      ex.body(body);
      try {
        handler.handle(ex, body);
      } catch (Throwable t) {
        internalError(ex, t);
      }
    });
  }

  private void get(HttpServerRequest req, String endpoint, ErrorFormat errors, NoBodyHandler handler) {
    Exchange ex = exchange(req, endpoint, errors);
    if (!allowed(ex, HttpMethod.GET) || !authenticated(ex)) return;
    handler.handle(ex);
  }

  /** An admin call: the master key only. */
  private void admin(HttpServerRequest req, ErrorFormat errors, NoBodyHandler handler) {
    Exchange ex = exchange(req, "admin", errors);
    if (!allowed(ex, HttpMethod.GET) || !authenticated(ex) || !master(ex)) return;
    handler.handle(ex);
  }

  /** The rest of the admin API ({@link AdminApi}): the master key only; the body is read for methods that carry one. */
  private void adminApi(HttpServerRequest req) {
    Exchange ex = exchange(req, "admin", OpenAiErrorFormat.INSTANCE);
    if (!authenticated(ex) || !master(ex)) return;
    HttpMethod m = req.method();
    if (m != HttpMethod.POST && m != HttpMethod.PATCH && m != HttpMethod.PUT) {
      adminApi.handle(ex, null);
      return;
    }
    BodyReader.readJson(ex, bodyLimit, body -> {
      try {
        adminApi.handle(ex, body);
      } catch (Throwable t) {
        internalError(ex, t);
      }
    });
  }

  private static boolean master(Exchange ex) {
    if (ex.principal().master()) return true;
    ex.fail(GatewayError.of(403, Kind.PERMISSION, "The admin API takes the master key only (in master.key in the "
        + "state directory, or SWITCHBOARD_MASTER_KEY); this is a virtual key.", "admin_only"), "rejected");
    return false;
  }

  private Exchange exchange(HttpServerRequest req, String endpoint, ErrorFormat errors) {
    Exchange ex = new Exchange(req, endpoint, errors, observer);
    metrics.started(); // after the constructor, which cannot fail: every start is matched by the observer's end
    if (traces != null) ex.trace(traces.begin(ex));
    if (errors == AnthropicErrorFormat.INSTANCE) AnthropicFrontDoor.tag(ex);
    if (BedrockErrorFormat.isBedrock(errors)) BedrockFrontDoor.tag(ex);
    return ex;
  }

  private static boolean allowed(Exchange ex, HttpMethod method) {
    HttpServerRequest req = ex.request();
    if (req.method() == method) return true;
    ex.response().putHeader(HttpHeaders.ALLOW, method.name());
    ex.fail(GatewayError.of(405, Kind.INVALID_REQUEST, req.method() + " is not allowed on " + req.path()
        + "; use " + method.name() + ".", "method_not_allowed"), "rejected");
    return false;
  }

  private boolean authenticated(Exchange ex) {
    Authenticator.Check check = authenticator.check(ex.request());
    if (check.verdict() == Authenticator.Verdict.OK) {
      ex.principal(check.principal());
      return true;
    }
    ex.fail(AuthErrors.of(check.verdict()), "rejected");
    return false;
  }

  /** No key: load balancers have none. The answer holds states and counts, never a credential. */
  private void ready(HttpServerResponse resp) {
    readiness.check().onComplete(ar -> {
      if (ar.succeeded()) {
        resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        plainJson(resp, ar.result().status(), ar.result().body());
      } else {
        internalError(resp, ar.cause());
      }
    });
  }

  private static void plainJson(HttpServerResponse resp, int status, Buffer body) {
    resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON).end(body);
  }

  private static void internalError(Exchange ex, Throwable t) {
    log.error("request {} failed inside the gateway", ex.requestId(), t);
    ex.fail(GatewayError.of(500, Kind.INTERNAL, "Switchboard failed while handling this request (request id "
        + ex.requestId() + "). This is a bug; the gateway log has the details.", "internal_error"), "internal");
  }

  private static void internalError(HttpServerResponse resp, Throwable t) {
    log.error("request failed inside the gateway", t);
    if (!resp.ended() && !resp.headWritten()) {
      resp.setStatusCode(500).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON)
          .end("{\"error\":{\"message\":\"Switchboard failed while handling this request. This is a bug; the "
              + "gateway log has the details.\",\"type\":\"server_error\",\"param\":null,\"code\":\"internal_error\"}}");
    } else if (!resp.ended()) {
      resp.reset();
    }
  }
}
