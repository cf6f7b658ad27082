package dev.switchboard.frontdoor.openai;

import dev.switchboard.exchange.ErrorFormat;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}. The SDKs pick their exception
 * class from the status alone; the message becomes the exception's text, so it must say what to do.
 */
public final class OpenAiErrorFormat implements ErrorFormat {
  public static final OpenAiErrorFormat INSTANCE = new OpenAiErrorFormat();

  private OpenAiErrorFormat() {}

  @Override
  public Buffer body(GatewayError error) {
    return Buffer.buffer(Json.MAPPER.writeValueAsBytes(Map.of("error", fields(error))));
  }

  @Override
  public Buffer streamEvent(GatewayError error) {
    // A data event whose JSON has a top-level "error" makes both the Java and Node SDKs throw.
    return Buffer.buffer("data: ").appendBytes(Json.MAPPER.writeValueAsBytes(Map.of("error", fields(error))))
        .appendString("\n\n");
  }

  private static Map<String, Object> fields(GatewayError error) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("message", error.message());
    // OpenAI's own answer when credit runs out; client code already knows this type and code.
    f.put("type", GatewayError.INSUFFICIENT_QUOTA.equals(error.code()) ? "insufficient_quota" : type(error.kind()));
    f.put("param", error.param());
    f.put("code", error.code());
    return f;
  }

  static String type(GatewayError.Kind kind) {
    return switch (kind) {
      case INVALID_REQUEST, NOT_FOUND, TOO_LARGE, UNSUPPORTED_MEDIA, AUTHENTICATION -> "invalid_request_error";
      case PERMISSION -> "permission_error";
      case RATE_LIMIT -> "rate_limit_error";
      case TIMEOUT -> "timeout_error";
      case UPSTREAM, UNAVAILABLE, INTERNAL -> "server_error";
    };
  }
}
