package dev.switchboard.codec.anthropic;

import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import tools.jackson.core.JsonGenerator;
import dev.switchboard.codec.ExactJson;
import tools.jackson.databind.JsonNode;

/** What the Anthropic codecs share: the mapper, JSON output, stop reasons, usage and error types. */
final class Wire {
  private Wire() {}

  static void cacheControl(JsonGenerator g, CacheMarker cache) {
    if (cache == null) return;
    g.writeName("cache_control");
    g.writeStartObject();
    g.writeStringProperty("type", "ephemeral");
    if (cache.ttl() != null) g.writeStringProperty("ttl", cache.ttl());
    g.writeEndObject();
  }

  // ---- stop reasons (PROTOCOLS.md 5.3) ----

  /** Anthropic's stop reason; null or unknown ones count as the end of the turn. */
  static StopReason stopReason(String wire) {
    if (wire == null) return StopReason.END_TURN;
    return switch (wire) {
      case "max_tokens" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "tool_use" -> StopReason.TOOL_USE;
      case "pause_turn" -> StopReason.PAUSE_TURN;
      case "refusal" -> StopReason.REFUSAL;
      case "model_context_window_exceeded" -> StopReason.CONTEXT_WINDOW_EXCEEDED;
      default -> StopReason.END_TURN;
    };
  }

  /** Anthropic has no content-filter stop of its own: a filtered answer is a {@code refusal}. */
  static String stopReason(StopReason reason) {
    return switch (reason) {
      case END_TURN -> "end_turn";
      case STOP_SEQUENCE -> "stop_sequence";
      case MAX_TOKENS -> "max_tokens";
      case CONTEXT_WINDOW_EXCEEDED -> "model_context_window_exceeded";
      case TOOL_USE -> "tool_use";
      case CONTENT_FILTER, REFUSAL -> "refusal";
      case PAUSE_TURN -> "pause_turn";
    };
  }

  // ---- usage (PROTOCOLS.md 5.4) ----

  /** Token counts of one Anthropic usage object, in Anthropic's convention (input excludes the cache). */
  record Counts(long input, long output, long cacheRead, long cacheWrite, long thinking) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

    /** Overwrites the counts {@code u} carries (Anthropic's stream usage is cumulative, never additive). */
    Counts merge(JsonNode u) {
      if (u == null || !u.isObject()) return this;
      return new Counts(count(u, "input_tokens", input), count(u, "output_tokens", output),
          count(u, "cache_read_input_tokens", cacheRead), count(u, "cache_creation_input_tokens", cacheWrite),
          thinkingTokens(u, thinking));
    }

    /** Canonical usage: input includes cache reads and writes. */
    Usage canonical() {
      return new Usage(input + cacheRead + cacheWrite, output, cacheRead, cacheWrite, thinking, false);
    }

    /** Anthropic counts from canonical usage: cached tokens are taken out of the input again. */
    static Counts of(Usage u) {
      if (u == null) return ZERO;
      long in = Math.max(0, u.inputTokens() - u.cacheReadTokens() - u.cacheWriteTokens());
      return new Counts(in, u.outputTokens(), u.cacheReadTokens(), u.cacheWriteTokens(), u.reasoningTokens());
    }

    void write(JsonGenerator g) {
      g.writeName("usage");
      g.writeStartObject();
      g.writeNumberProperty("input_tokens", input);
      g.writeNumberProperty("output_tokens", output);
      g.writeNumberProperty("cache_creation_input_tokens", cacheWrite);
      g.writeNumberProperty("cache_read_input_tokens", cacheRead);
      g.writeEndObject();
    }

    private static long count(JsonNode u, String field, long otherwise) {
      JsonNode n = u.get(field);
      return n != null && n.isIntegralNumber() ? n.longValue() : otherwise;
    }

    private static long thinkingTokens(JsonNode u, long otherwise) {
      JsonNode d = u.get("output_tokens_details");
      return d != null && d.isObject() ? count(d, "thinking_tokens", otherwise) : otherwise;
    }
  }

  // ---- errors (PROTOCOLS.md 2.6) ----

  /**
   * Anthropic's {@code error.type} for a status. The SDKs choose their exception class by status alone, so
   * the type follows the status: 502 is {@code api_error} (the upstream failed), 503 is
   * {@code overloaded_error} (no capacity right now, worth retrying — the SDKs retry every status >= 500
   * anyway), 504 and 408 are {@code timeout_error}. Statuses the table does not name fall back to the kind.
   */
  static String errorType(GatewayError error) {
    return switch (error.status()) {
      case 400, 415, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 408, 504 -> "timeout_error";
      case 409 -> "conflict_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 500, 502 -> "api_error";
      case 503, 529 -> "overloaded_error";
      default -> switch (error.kind()) {
        case INVALID_REQUEST, UNSUPPORTED_MEDIA -> "invalid_request_error";
        case AUTHENTICATION -> "authentication_error";
        case PERMISSION -> "permission_error";
        case NOT_FOUND -> "not_found_error";
        case TOO_LARGE -> "request_too_large";
        case RATE_LIMIT -> "rate_limit_error";
        case TIMEOUT -> "timeout_error";
        case UNAVAILABLE -> "overloaded_error";
        case UPSTREAM, INTERNAL -> "api_error";
      };
    };
  }

  /**
   * The gateway error for an Anthropic error, by its {@code error.type} (or {@code status} when the type is
   * unknown). {@code status} is the HTTP status it came with, or -1 inside a stream, where the type alone
   * decides (an in-stream {@code overloaded_error} becomes 529).
   */
  static GatewayError error(int status, String type, String message) {
    String msg = message == null || message.isBlank() ? "The upstream returned an error without a message." : message;
    GatewayError.Kind kind;
    int byType;
    switch (type == null ? "" : type) {
      case "invalid_request_error" -> { kind = GatewayError.Kind.INVALID_REQUEST; byType = 400; }
      case "authentication_error" -> { kind = GatewayError.Kind.AUTHENTICATION; byType = 401; }
      case "billing_error" -> { kind = GatewayError.Kind.PERMISSION; byType = 402; }
      case "permission_error" -> { kind = GatewayError.Kind.PERMISSION; byType = 403; }
      case "not_found_error" -> { kind = GatewayError.Kind.NOT_FOUND; byType = 404; }
      case "conflict_error" -> { kind = GatewayError.Kind.INVALID_REQUEST; byType = 409; }
      case "request_too_large" -> { kind = GatewayError.Kind.TOO_LARGE; byType = 413; }
      case "rate_limit_error" -> { kind = GatewayError.Kind.RATE_LIMIT; byType = 429; }
      case "timeout_error" -> { kind = GatewayError.Kind.TIMEOUT; byType = 504; }
      case "api_error" -> { kind = GatewayError.Kind.UPSTREAM; byType = 500; }
      case "overloaded_error" -> { kind = GatewayError.Kind.UNAVAILABLE; byType = 529; }
      default -> { kind = kindOf(status); byType = 500; }
    }
    int s = status > 0 ? status : byType;
    return new GatewayError(s, kind, msg, null, type == null || type.isEmpty() ? null : type, -1);
  }

  private static GatewayError.Kind kindOf(int status) {
    return switch (status) {
      case 400, 409, 422 -> GatewayError.Kind.INVALID_REQUEST;
      case 401 -> GatewayError.Kind.AUTHENTICATION;
      case 402, 403 -> GatewayError.Kind.PERMISSION;
      case 404 -> GatewayError.Kind.NOT_FOUND;
      case 408, 504 -> GatewayError.Kind.TIMEOUT;
      case 413 -> GatewayError.Kind.TOO_LARGE;
      case 429 -> GatewayError.Kind.RATE_LIMIT;
      case 503, 529 -> GatewayError.Kind.UNAVAILABLE;
      default -> GatewayError.Kind.UPSTREAM;
    };
  }

  /** The upstream sent something that is not the Anthropic format: a 502 for the client. */
  static RejectedException badUpstream(String what) {
    return new RejectedException(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's answer could not be read as an Anthropic message: " + what + ".", "bad_upstream_response"));
  }
}
