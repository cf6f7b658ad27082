package dev.switchboard.tracing;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.ExchangeTrace;
import dev.switchboard.exchange.GatewayError;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import java.util.Arrays;
import java.util.List;

/**
 * The spans of one exchange: a SERVER span for the client's request and a CLIENT span per upstream attempt, named
 * and attributed after the OpenTelemetry HTTP and GenAI semantic conventions. Only ids, names, numbers and statuses
 * go into attributes: never prompts, outputs, keys or upstream error texts (which can quote either).
 *
 * <p>Threading: confined to the exchange's event loop, like the exchange.
 */
final class ExchangeSpans implements ExchangeTrace {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
  /** The name of {@code gen_ai.provider.name} before semantic conventions 1.37; many backends still read it. */
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Long> CACHE_WRITE_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("switchboard.request_id");
  static final AttributeKey<String> FRONT_DOOR = AttributeKey.stringKey("switchboard.front_door");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.outcome");
  static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("switchboard.key_id");
  static final AttributeKey<String> TEAM_ID = AttributeKey.stringKey("switchboard.team_id");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("switchboard.attempts");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("switchboard.provider");
  static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("switchboard.deployment");
  static final AttributeKey<String> REGION = AttributeKey.stringKey("switchboard.region");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("switchboard.attempt");
  static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("switchboard.stream");

  private static final TextMapGetter<HttpServerRequest> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpServerRequest carrier) {
      return carrier.headers().names();
    }

    @Override
    public String get(HttpServerRequest carrier, String key) {
      return carrier == null ? null : carrier.getHeader(key);
    }
  };
  private static final TextMapSetter<HttpClientRequest> SETTER = (carrier, key, value) -> {
    if (carrier != null) carrier.putHeader(key, value);
  };

  private final Tracer tracer;
  private final Exchange exchange;
  private final Span server;
  private final Context serverContext;
  /** Attempt spans by attempt number; an ended attempt's slot is cleared. */
  private Span[] attempts = new Span[4];
  private String nextDeployment;
  private String nextRegion;

  ExchangeSpans(Tracer tracer, Exchange exchange) {
    this.tracer = tracer;
    this.exchange = exchange;
    HttpServerRequest req = exchange.request();
    String method = req.method().name();
    // A path nobody serves is named as such: scanners must not mint a span name per probed path.
    String route = "unknown".equals(exchange.endpoint()) ? "unknown" : route(req.path());
    Context parent = W3C.extract(Context.root(), req, GETTER);
    SpanBuilder b = tracer.spanBuilder(method + " " + route).setSpanKind(SpanKind.SERVER).setParent(parent)
        .setAttribute(METHOD, method)
        .setAttribute(ROUTE, route)
        .setAttribute(URL_PATH, req.path())
        .setAttribute(URL_SCHEME, req.isSSL() ? "https" : "http")
        .setAttribute(REQUEST_ID, exchange.requestId());
    if (req.version() != null) b.setAttribute(PROTOCOL_VERSION, version(req.version()));
    this.server = b.startSpan();
    this.serverContext = parent.with(server);
  }

  @Override
  public void target(String deployment, String region) {
    this.nextDeployment = deployment;
    this.nextRegion = region;
  }

  @Override
  public void attemptStarted(int number, String provider, String type, String host, int port, String upstreamModel) {
    String model = exchange.model();
    String deployment = nextDeployment;
    // A hedge is not named on the exchange (the first attempt still is), so its deployment tells its model.
    if (deployment != null && deployment.startsWith(provider + "/")) {
      upstreamModel = deployment.substring(provider.length() + 1);
    }
    String system = system(type);
    String operation = operation(exchange.endpoint());
    SpanBuilder b = tracer.spanBuilder(model == null ? operation : operation + " " + model)
        .setSpanKind(SpanKind.CLIENT).setParent(serverContext)
        .setAttribute(OPERATION, operation)
        .setAttribute(PROVIDER_NAME, system)
        .setAttribute(SYSTEM, system)
        .setAttribute(PROVIDER, provider)
        .setAttribute(SERVER_ADDRESS, host)
        .setAttribute(SERVER_PORT, (long) port)
        .setAttribute(ATTEMPT, (long) number)
        .setAttribute(STREAM, exchange.stream());
    if (model != null) b.setAttribute(REQUEST_MODEL, model);
    if (upstreamModel != null) b.setAttribute(RESPONSE_MODEL, upstreamModel);
    if (deployment != null) b.setAttribute(DEPLOYMENT, deployment);
    if (nextRegion != null) b.setAttribute(REGION, nextRegion);
    Integer max = exchange.maxOutputTokens();
    if (max != null) b.setAttribute(MAX_TOKENS, max.longValue());
    nextDeployment = null;
    nextRegion = null;
    Span span = b.startSpan();
    if (number >= attempts.length) attempts = Arrays.copyOf(attempts, Math.max(number + 1, attempts.length * 2));
    Span before = attempts[Math.max(0, number)];
    if (before != null) before.end(); // a call that never reported its end; not expected
    attempts[Math.max(0, number)] = span;
  }

  @Override
  public void propagate(int number, HttpClientRequest request) {
    Span span = number >= 0 && number < attempts.length ? attempts[number] : null;
    W3C.inject(span == null ? serverContext : serverContext.with(span), request, SETTER);
  }

  @Override
  public void attemptFailed(int number, GatewayError error, String outcome) {
    Span span = take(number);
    if (span == null) return;
    span.setAttribute(OUTCOME, outcome);
    if (error != null) {
      // Low cardinality, and never the upstream's own words: Switchboard's code for what went wrong on the way
      // (upstream_timeout, upstream_unreachable…), else the status; an upstream's code is its text, not ours.
      String code = error.code();
      span.setAttribute(ERROR_TYPE, code != null && code.startsWith("upstream_") ? code
          : Integer.toString(error.status()));
      span.setAttribute(STATUS, (long) error.status());
      span.setStatus(StatusCode.ERROR, outcome);
    }
    span.end();
  }

  @Override
  public void ended(ExchangeRecord record) {
    for (int i = 0; i < attempts.length; i++) {
      Span span = attempts[i];
      if (span == null) continue;
      attempts[i] = null;
      // What is still open at the end is the attempt that answered (or one the exchange's end cut short).
      span.setAttribute(OUTCOME, record.outcome());
      usage(span, record.usage());
      if (!"completed".equals(record.outcome())) {
        span.setAttribute(ERROR_TYPE, record.outcome());
        span.setStatus(StatusCode.ERROR, record.outcome());
      }
      span.end();
    }
    Span s = server;
    s.setAttribute(STATUS, (long) record.status());
    s.setAttribute(OUTCOME, record.outcome());
    s.setAttribute(FRONT_DOOR, record.frontDoor());
    if (record.model() != null) s.setAttribute(REQUEST_MODEL, record.model());
    if (record.keyId() != null) s.setAttribute(KEY_ID, record.keyId());
    if (record.teamId() != null) s.setAttribute(TEAM_ID, record.teamId());
    if (record.attempts() > 0) s.setAttribute(ATTEMPTS, (long) record.attempts());
    if (record.deployment() != null) s.setAttribute(DEPLOYMENT, record.deployment());
    usage(s, record.usage());
    if (record.status() >= 500 || record.status() == 499) {
      // OTel HTTP conventions: a server span is an error for 5xx only; a client gone (499) is marked too, since
      // that request got no answer.
      s.setAttribute(ERROR_TYPE, record.status() == 499 ? record.outcome() : Integer.toString(record.status()));
      s.setStatus(StatusCode.ERROR, record.outcome());
    }
    s.end();
  }

  private Span take(int number) {
    if (number < 0 || number >= attempts.length) return null;
    Span span = attempts[number];
    attempts[number] = null;
    return span;
  }

  private static void usage(Span span, Usage usage) {
    if (usage == null) return;
    span.setAttribute(INPUT_TOKENS, usage.inputTokens());
    span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
    if (usage.cacheReadTokens() > 0) span.setAttribute(CACHE_READ_TOKENS, usage.cacheReadTokens());
    if (usage.cacheWriteTokens() > 0) span.setAttribute(CACHE_WRITE_TOKENS, usage.cacheWriteTokens());
    if (usage.estimated()) span.setAttribute(AttributeKey.booleanKey("switchboard.usage.estimated"), true);
  }

  /** {@code gen_ai.provider.name}'s well-known values; other OpenAI-compatible servers are {@code openai}-shaped. */
  static String system(String type) {
    if (type == null) return "openai";
    return switch (type) {
      case "anthropic" -> "anthropic";
      case "bedrock" -> "aws.bedrock";
      case "gemini" -> "gcp.gemini";
      default -> "openai";
    };
  }

  static String operation(String endpoint) {
    if (endpoint == null) return "chat";
    return switch (endpoint) {
      case "embeddings" -> "embeddings";
      case "completions" -> "text_completion";
      default -> "chat";
    };
  }

  /** The path with its variable parts (Bedrock model ids, admin ids) replaced, for a low-cardinality span name. */
  static String route(String path) {
    if (path == null) return "/";
    if (path.startsWith("/model/")) {
      int last = path.lastIndexOf('/');
      return last > 6 ? "/model/{modelId}" + path.substring(last) : path;
    }
    if (path.startsWith("/admin/")) {
      List<String> parts = List.of(path.split("/"));
      return parts.size() > 3 ? "/admin/" + parts.get(2) + "/{id}" + (parts.size() > 4 ? "/" + parts.get(4) : "")
          : path;
    }
    return path;
  }

  private static String version(io.vertx.core.http.HttpVersion v) {
    return switch (v) {
      case HTTP_1_0 -> "1.0";
      case HTTP_1_1 -> "1.1";
      case HTTP_2 -> "2";
      default -> v.alpnName();
    };
  }
}
