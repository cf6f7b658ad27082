package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JsonGenerator;

/**
 * Anthropic's error answers (PROTOCOLS.md 2.6): {@code {"type":"error","error":{"type","message"},"request_id"}}. They
 * travel as {@link ApiError}s whose {@code type} is already Anthropic's ({@code invalid_request_error},
 * {@code not_found_error}, ...); {@code param} and {@code code} are unused.
 *
 * <p>A STATUS fault keeps its status, so a drill that asks for 503 sees 503 (the SDKs' ServiceUnavailable), not 529;
 * the type is the one Anthropic uses for that status, with {@code overloaded_error} for both 503 and 529 and
 * {@code timeout_error} for 504.
 */
final class AnthropicErrors {
  private AnthropicErrors() {}

  static ApiError invalid(String message) {
    return new ApiError(400, "invalid_request_error", message, null, null);
  }

  static ApiError missingKey() {
    return new ApiError(401, "authentication_error",
        "x-api-key header or Authorization: Bearer header is required", null, null);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "not_found_error", message, null, null);
  }

  /** Anthropic's answer to an unknown model: 404 with the message {@code model: <id>}. */
  static ApiError modelNotFound(String model) {
    return notFound("model: " + model);
  }

  /** The error type Anthropic uses for {@code status}. */
  static String typeFor(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /** The error a STATUS fault answers with on the Anthropic routes. */
  static ApiError forStatus(int status, String deployment) {
    String type = typeFor(status);
    String message = switch (type) {
      case "authentication_error" -> "invalid x-api-key (simulated on " + deployment + ")";
      case "billing_error" -> "Your credit balance is too low (simulated on " + deployment + ")";
      case "permission_error" -> "Your API key does not have permission to use the specified resource (simulated on "
          + deployment + ")";
      case "not_found_error" -> "Not found (simulated on " + deployment + ")";
      case "request_too_large" -> "Request exceeds the maximum allowed number of bytes (simulated on " + deployment
          + ")";
      case "rate_limit_error" -> "Rate limit reached on " + deployment + " (simulated). Please try again later.";
      case "overloaded_error" -> "Overloaded (simulated " + status + " on " + deployment + ")";
      case "timeout_error" -> "Request timed out (simulated on " + deployment + ")";
      case "api_error" -> "Internal server error (simulated " + status + " on " + deployment + ")";
      default -> "Simulated error " + status + " on " + deployment + ".";
    };
    return new ApiError(status, type, message, null, null);
  }

  static Buffer body(ApiError e, String requestId) {
    Buffer out = Buffer.buffer(120 + e.getMessage().length());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("type", "error");
      g.writeObjectPropertyStart("error");
      g.writeStringProperty("type", e.type);
      g.writeStringProperty("message", e.getMessage());
      g.writeEndObject();
      g.writeStringProperty("request_id", requestId);
      g.writeEndObject();
    }
    return out;
  }
}
