package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JsonGenerator;

/**
 * An error answer, thrown while validating a request and rendered by the exchange: {@link #body()} gives OpenAI's shape
 * ({@code {"error":{"message","type","param","code"}}}), {@link AnthropicErrors#body} Anthropic's (whose errors carry
 * Anthropic's {@code type} and no {@code param} or {@code code}). Stack traces are skipped: these are answers, not
 * bugs.
 */
final class ApiError extends RuntimeException {
  final int status;
  final String type;
  final String param;
  final String code;

  ApiError(int status, String type, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  static ApiError invalidType(String param, String expected) {
    return invalid(param, "Invalid type for '" + param + "': expected " + expected + ".");
  }

  static ApiError modelNotFound(String model) {
    return new ApiError(404, "invalid_request_error",
        "The model `" + model + "` does not exist or you do not have access to it.", "model", "model_not_found");
  }

  static ApiError missingKey() {
    return new ApiError(401, "invalid_request_error", "You didn't provide an API key. You need to provide your API key "
        + "in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null,
        "invalid_api_key");
  }

  /** The error a STATUS fault answers with, worded and typed the way OpenAI words and types that status. */
  static ApiError forStatus(int status, String deployment) {
    return switch (status) {
      case 400 -> new ApiError(400, "invalid_request_error", "Simulated bad request on " + deployment + ".", null, null);
      case 401 -> new ApiError(401, "invalid_request_error", "Simulated invalid API key on " + deployment + ".", null,
          "invalid_api_key");
      case 403 -> new ApiError(403, "invalid_request_error", "Simulated permission denied on " + deployment + ".", null,
          "unsupported_country_region_territory");
      case 404 -> new ApiError(404, "invalid_request_error", "Simulated missing model on " + deployment + ".", "model",
          "model_not_found");
      case 429 -> new ApiError(429, "requests", "Rate limit reached for requests on " + deployment
          + " (simulated). Please try again later.", null, "rate_limit_exceeded");
      default -> status >= 500
          ? new ApiError(status, "server_error", "The server had an error while processing your request (simulated "
              + status + " on " + deployment + ").", null, null)
          : new ApiError(status, "invalid_request_error", "Simulated error " + status + " on " + deployment + ".", null,
              null);
    };
  }

  Buffer body() {
    Buffer out = Buffer.buffer(160 + getMessage().length());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeObjectPropertyStart("error");
      g.writeStringProperty("message", getMessage());
      g.writeStringProperty("type", type);
      g.writeStringProperty("param", param); // null is written as null
      g.writeStringProperty("code", code);
      g.writeEndObject();
      g.writeEndObject();
    }
    return out;
  }
}
