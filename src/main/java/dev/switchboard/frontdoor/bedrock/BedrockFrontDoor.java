package dev.switchboard.frontdoor.bedrock;

import dev.switchboard.access.Authenticator;
import dev.switchboard.access.KeyRing;
import dev.switchboard.access.MasterKey;
import dev.switchboard.aws.sigv4.SigV4Result;
import dev.switchboard.aws.sigv4.SigV4Verifier;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.codec.anthropic.AnthropicCodec;
import dev.switchboard.codec.bedrock.BedrockConverseCodec;
import dev.switchboard.codec.bedrock.BedrockInvokeCodec;
import dev.switchboard.codec.bedrock.BedrockStreamEncoder;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.frontdoor.EncodingAnswerSink;
import dev.switchboard.frontdoor.StreamSplice;
import dev.switchboard.provider.ChatBackend;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Demand;
import dev.switchboard.routing.Demands;
import dev.switchboard.routing.Router;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The Bedrock Runtime front door: {@code POST /model/{modelId}/converse}, {@code /converse-stream},
 * {@code /invoke} and {@code /invoke-with-response-stream}, as the AWS SDKs call them. Requests are
 * authenticated by SigV4 (a virtual key's access key id and secret, or the master key as both) or by a Bedrock
 * API key ({@code Authorization: Bearer}, a virtual key or the master key), decoded into the canonical model (Converse bodies, and
 * on the invoke routes Claude's Anthropic body) and served by any translating provider; streams answer in AWS
 * event-stream framing.
 */
public final class BedrockFrontDoor {
  static final CharSequence EVENT_STREAM = "application/vnd.amazon.eventstream";

  private final Catalog catalog;
  private final Router router;
  private final SigV4Verifier verifier;
  private final byte[] masterKey;
  private final Authenticator authenticator;

  /**
   * @param ring where the SigV4 secrets of virtual keys are found; the master key is both an access key id and its
   *     own secret
   */
  public BedrockFrontDoor(Catalog catalog, Router router, MasterKey key, Authenticator authenticator, KeyRing ring) {
    this.catalog = catalog;
    this.router = router;
    this.authenticator = authenticator;
    this.masterKey = key.value().getBytes(StandardCharsets.UTF_8);
    this.verifier = SigV4Verifier.builder()
        .secrets(id -> MessageDigest.isEqual(id.getBytes(StandardCharsets.UTF_8), masterKey) ? key.value()
            : ring.secret(id))
        .service(SigV4Verifier.BEDROCK)
        .build();
  }

  /** Tags every Bedrock answer with AWS's request id and a Date (the SDKs correct clock skew from it). */
  public static void tag(Exchange exchange) {
    exchange.response().putHeader("x-amzn-RequestId", exchange.requestId())
        .putHeader("date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
  }

  /**
   * Serves a Converse call whose body has been read. {@code rawModelSegment} is the path segment as received
   * (still percent-encoded). Ends the exchange.
   */
  public void converse(Exchange exchange, Buffer body, String rawModelSegment, boolean stream) {
    if (!authenticated(exchange, body)) return;
    String modelId = modelId(rawModelSegment);
    BedrockConverseCodec.Decoded decoded;
    try {
      decoded = BedrockConverseCodec.decodeRequest(body, modelId, stream);
    } catch (RejectedException e) {
      exchange.fail(e.error(), "rejected");
      return;
    }
    long start = System.nanoTime();
    serve(exchange, modelId, decoded.request(), decoded.dropped(), new EncodingAnswerSink(exchange,
        r -> BedrockConverseCodec.encodeResponse(r, (System.nanoTime() - start) / 1_000_000),
        () -> new BedrockStreamEncoder()::encode, EVENT_STREAM));
  }

  /**
   * Serves an InvokeModel ({@code stream} false) or InvokeModelWithResponseStream call whose body has been read,
   * for a Claude body ({@link BedrockInvokeCodec}). {@code rawModelSegment} is the path segment as received
   * (still percent-encoded). Ends the exchange.
   */
  public void invoke(Exchange exchange, Buffer body, String rawModelSegment, boolean stream) {
    if (!authenticated(exchange, body)) return;
    String modelId = modelId(rawModelSegment);
    AnthropicCodec.Decoded decoded;
    try {
      decoded = BedrockInvokeCodec.decodeRequest(body, modelId, stream);
    } catch (RejectedException e) {
      exchange.fail(e.error(), "rejected");
      return;
    }
    serve(exchange, modelId, decoded.request(), decoded.dropped(), InvokeAnswers.sink(exchange, modelId));
  }

  /** Routes a decoded request as every Bedrock operation does, and ends the exchange. */
  private void serve(Exchange exchange, String modelId, ChatRequest request, List<String> decodedDropped,
      AnswerSink sink) {
    Catalog.Route route = catalog.resolve(modelId);
    if (route == null) {
      exchange.fail(GatewayError.of(404, Kind.NOT_FOUND, "Model '" + modelId + "' is not served here. Available: "
          + String.join(", ", catalog.names()), "model_not_found"), "rejected");
      return;
    }
    exchange.route(modelId, route.provider().name(), route.upstreamModel(), request.stream());
    exchange.strict(route.strict());
    exchange.maxOutputTokens(request.maxOutputTokens());
    Demand demand;
    try {
      demand = Demands.of(request, exchange.request().headers());
    } catch (IllegalArgumentException e) {
      exchange.fail(GatewayError.invalid(e.getMessage(), null, "ValidationException"), "rejected");
      return;
    }
    // Keeps the client's stream whole across attempts when the model continues broken streams.
    StreamSplice splice = request.stream() && route.policy().continueStreams() ? new StreamSplice(sink) : null;
    router.dispatch(exchange, route, demand, d -> {
      if (!(d.provider() instanceof ChatBackend backend)) {
        exchange.fail(GatewayError.of(400, Kind.INVALID_REQUEST, "Model '" + modelId + "' cannot serve Bedrock "
            + "clients.", "unsupported_route"), "rejected");
        return;
      }
      List<String> dropped = new ArrayList<>(decodedDropped);
      StreamSplice.send(backend, exchange, request, d.upstreamModel(), sink, splice, dropped);
      if (!exchange.response().headWritten()) {
        if (dropped.isEmpty()) exchange.response().headers().remove("x-switchboard-dropped");
        else exchange.response().putHeader("x-switchboard-dropped", String.join("; ", dropped));
      }
    }, splice);
  }

  /** The model id in a path segment as the SDKs encode it: {@code %3A}, {@code %2F}, and a literal {@code +}. */
  private static String modelId(String rawModelSegment) {
    return URLDecoder.decode(rawModelSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private boolean authenticated(Exchange exchange, Buffer body) {
    HttpServerRequest req = exchange.request();
    String auth = req.getHeader("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return admitted(exchange, authenticator.check(auth.substring(7).trim(), System.currentTimeMillis()));
    }
    String authority = req.authority() == null ? req.getHeader("host") : req.authority().toString();
    SigV4Verifier.Request signed = new SigV4Verifier.Request(req.method().name(), rawPath(req), req.query(), authority,
        req.headers()::getAll);
    SigV4Result result = verifier.verify(signed, body.getBytes());
    if (result instanceof SigV4Result.Rejected rejected) {
      exchange.fail(GatewayError.of(403, Kind.PERMISSION, rejected.message(), rejected.errorCode()), "rejected");
      return false;
    }
    String accessKeyId = ((SigV4Result.Verified) result).accessKeyId();
    if (MessageDigest.isEqual(accessKeyId.getBytes(StandardCharsets.UTF_8), masterKey)) return true;
    return admitted(exchange, authenticator.checkAccessKey(accessKeyId, System.currentTimeMillis()));
  }

  private static boolean admitted(Exchange exchange, Authenticator.Check check) {
    switch (check.verdict()) {
      case OK -> {
        exchange.principal(check.principal());
        return true;
      }
      case REVOKED -> exchange.fail(GatewayError.of(403, Kind.AUTHENTICATION, "The security token included in the "
          + "request has been revoked. Ask your Switchboard administrator for a new key.",
          "UnrecognizedClientException"), "rejected");
      case EXPIRED -> exchange.fail(GatewayError.of(403, Kind.AUTHENTICATION, "The security token included in the "
          + "request is expired. Ask your Switchboard administrator for a new key.", "ExpiredTokenException"),
          "rejected");
      default -> exchange.fail(GatewayError.of(403, Kind.AUTHENTICATION, "The security token included in the request "
          + "is invalid.", "UnrecognizedClientException"), "rejected");
    }
    return false;
  }

  private static String rawPath(HttpServerRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
