package dev.switchboard.tracing;

import dev.switchboard.testing.AwaitableLog;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OTLP/HTTP trace receiver on loopback, as an OpenTelemetry Collector's {@code otlp} receiver with
 * {@code protocols: http} is: {@code POST /v1/traces} with a protobuf {@code ExportTraceServiceRequest}, decoded with
 * the generated classes of opentelemetry-proto. It keeps every span it received, flattened with its resource.
 */
final class OtlpReceiver {
  /** One received span: ids in lower-case hex, attributes as strings, longs or booleans. */
  record Received(String name, String kind, String traceId, String spanId, String parentSpanId, String status,
      Map<String, Object> attributes, Map<String, Object> resource) {
    Object attr(String key) {
      return attributes.get(key);
    }
  }

  private final HttpServer server;
  private final AwaitableLog<Received> spans = new AwaitableLog<>();
  private final AtomicInteger posts = new AtomicInteger();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  static OtlpReceiver start(Vertx vertx) throws Exception {
    OtlpReceiver[] self = new OtlpReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      self[0].posts.incrementAndGet();
      if (!req.path().equals("/v1/traces")) {
        req.response().setStatusCode(404).end();
        return;
      }
      try {
        self[0].take(ExportTraceServiceRequest.parseFrom(body.getBytes()));
        req.response().putHeader("content-type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (Exception e) {
        req.response().setStatusCode(400).end(String.valueOf(e));
      }
    }));
    self[0] = new OtlpReceiver(server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    return self[0];
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  AwaitableLog<Received> spans() {
    return spans;
  }

  /** Every POST received, decodable or not. */
  int posts() {
    return posts.get();
  }

  Future<Void> close() {
    return server.close();
  }

  private void take(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(rs.getResource());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          Map<String, Object> attrs = new LinkedHashMap<>();
          for (KeyValue kv : s.getAttributesList()) attrs.put(kv.getKey(), value(kv.getValue()));
          spans.add(new Received(s.getName(), s.getKind().name(), hex.formatHex(s.getTraceId().toByteArray()),
              hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
              s.getStatus().getCode().name(), attrs, resource));
        }
      }
    }
  }

  private static Map<String, Object> attributes(Resource r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : r.getAttributesList()) out.put(kv.getKey(), value(kv.getValue()));
    return out;
  }

  private static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> v.getIntValue();
      case BOOL_VALUE -> v.getBoolValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      default -> v.toString();
    };
  }
}
