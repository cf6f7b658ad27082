package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JsonGenerator;

/**
 * Gemini's error answers (PROTOCOLS.md 4): {@code {"error":{"code","message","status"}}}, Google's canonical status
 * name beside the HTTP status. They travel as {@link ApiError}s whose {@code type} is that name
 * ({@code INVALID_ARGUMENT}, {@code NOT_FOUND}, ...) and whose {@code code}, when set, is the delay of a
 * {@code google.rpc.RetryInfo} detail (e.g. {@code 7s}), which is how Gemini tells a client when to retry;
 * {@code param} is unused.
 */
final class GeminiErrors {
  private GeminiErrors() {}

  static ApiError invalid(String message) {
    return new ApiError(400, "INVALID_ARGUMENT", message, null, null);
  }

  /** What Gemini answers a request without an API key: 403, not 401. */
  static ApiError missingKey() {
    return new ApiError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without "
        + "established identity). Please use API Key or other form of API consumer identity to call this API.", null,
        null);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "NOT_FOUND", message, null, null);
  }

  /** An unknown model, or a method the model does not support, worded as Gemini words it. */
  static ApiError modelNotFound(String model, String method) {
    return notFound("models/" + model + " is not found for API version v1beta, or is not supported for " + method
        + ". Call ListModels to see the list of available models and their supported methods.");
  }

  /** Google's canonical status name for an HTTP status (google.rpc.Code's HTTP mapping). */
  static String statusName(int status) {
    return switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 501 -> "UNIMPLEMENTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }

  /** The error a STATUS fault answers with on the Gemini routes; a 429 carries its retry delay as RetryInfo. */
  static ApiError forStatus(int status, String deployment, int retryAfterSeconds) {
    String name = statusName(status);
    String message = switch (name) {
      case "INVALID_ARGUMENT" -> "Request contains an invalid argument (simulated on " + deployment + ").";
      case "UNAUTHENTICATED" -> "Request had invalid authentication credentials (simulated on " + deployment + ").";
      case "PERMISSION_DENIED" -> "The caller does not have permission (simulated on " + deployment + ").";
      case "NOT_FOUND" -> "Requested entity was not found (simulated on " + deployment + ").";
      case "RESOURCE_EXHAUSTED" -> "You exceeded your current quota, please check your plan and billing details "
          + "(simulated on " + deployment + ").";
      case "UNAVAILABLE" -> "The model is overloaded. Please try again later (simulated on " + deployment + ").";
      case "DEADLINE_EXCEEDED" -> "Deadline expired before operation could complete (simulated on " + deployment
          + ").";
      case "INTERNAL" -> "An internal error has occurred (simulated " + status + " on " + deployment + ").";
      default -> "Simulated error " + status + " on " + deployment + ".";
    };
    String retryDelay = status == 429 && retryAfterSeconds > 0 ? retryAfterSeconds + "s" : null;
    return new ApiError(status, name, message, null, retryDelay);
  }

  static Buffer body(ApiError e) {
    Buffer out = Buffer.buffer(96 + e.getMessage().length());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeObjectPropertyStart("error");
      g.writeNumberProperty("code", e.status);
      g.writeStringProperty("message", e.getMessage());
      g.writeStringProperty("status", e.type);
      if (e.code != null) {
        g.writeArrayPropertyStart("details");
        g.writeStartObject();
        g.writeStringProperty("@type", "type.googleapis.com/google.rpc.RetryInfo");
        g.writeStringProperty("retryDelay", e.code);
        g.writeEndObject();
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    return out;
  }
}
