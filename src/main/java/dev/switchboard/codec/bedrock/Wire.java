package dev.switchboard.codec.bedrock;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;
import tools.jackson.core.JsonGenerator;
import dev.switchboard.codec.ExactJson;
import tools.jackson.databind.JsonNode;

/** What the Bedrock codecs share: the mapper, JSON output, stop reasons, usage, tool ids and error types. */
final class Wire {
  private Wire() {}

  static void cachePoint(JsonGenerator g, dev.switchboard.canonical.CacheMarker cache) {
    g.writeStartObject();
    g.writeName("cachePoint");
    g.writeStartObject();
    g.writeStringProperty("type", "default");
    if (cache.ttl() != null) g.writeStringProperty("ttl", cache.ttl());
    g.writeEndObject();
    g.writeEndObject();
  }

  // ---- stop reasons (PROTOCOLS.md 5.3) ----

  /** Bedrock's stop reason; null or unknown ones count as the end of the turn. */
  static StopReason stopReason(String wire) {
    if (wire == null) return StopReason.END_TURN;
    return switch (wire) {
      case "tool_use" -> StopReason.TOOL_USE;
      case "max_tokens" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "guardrail_intervened", "content_filtered" -> StopReason.CONTENT_FILTER;
      case "model_context_window_exceeded" -> StopReason.CONTEXT_WINDOW_EXCEEDED;
      default -> StopReason.END_TURN;
    };
  }

  static String stopReason(StopReason reason) {
    return switch (reason == null ? StopReason.END_TURN : reason) {
      case END_TURN, PAUSE_TURN -> "end_turn";
      case STOP_SEQUENCE -> "stop_sequence";
      case MAX_TOKENS -> "max_tokens";
      case CONTEXT_WINDOW_EXCEEDED -> "model_context_window_exceeded";
      case TOOL_USE -> "tool_use";
      case CONTENT_FILTER, REFUSAL -> "content_filtered";
    };
  }

  // ---- usage (PROTOCOLS.md 5.4) ----

  /**
   * Bedrock usage → canonical. Bedrock's {@code inputTokens} excludes cache reads and writes (as Anthropic's
   * does); the canonical input includes both.
   */
  static Usage usage(JsonNode u) {
    long read = u.path("cacheReadInputTokens").asLong(0);
    long write = u.path("cacheWriteInputTokens").asLong(0);
    return new Usage(u.path("inputTokens").asLong(0) + read + write, u.path("outputTokens").asLong(0), read, write,
        0, false);
  }

  /** Canonical → a Bedrock {@code usage} object, every member present. */
  static void writeUsage(JsonGenerator g, Usage u) {
    long read = u == null ? 0 : u.cacheReadTokens();
    long write = u == null ? 0 : u.cacheWriteTokens();
    long input = u == null ? 0 : Math.max(0, u.inputTokens() - read - write);
    long output = u == null ? 0 : u.outputTokens();
    g.writeName("usage");
    g.writeStartObject();
    g.writeNumberProperty("inputTokens", input);
    g.writeNumberProperty("outputTokens", output);
    g.writeNumberProperty("totalTokens", input + read + write + output);
    g.writeNumberProperty("cacheReadInputTokens", read);
    g.writeNumberProperty("cacheWriteInputTokens", write);
    g.writeEndObject();
  }

  static void writeMetrics(JsonGenerator g, long latencyMs) {
    g.writeName("metrics");
    g.writeStartObject();
    g.writeNumberProperty("latencyMs", Math.max(0, latencyMs));
    g.writeEndObject();
  }

  // ---- tool ids: Bedrock allows [a-zA-Z0-9_-]+, at most 64 characters ----

  static final String ID_PREFIX = "sbx_";
  private static final Pattern VALID_ID = Pattern.compile("[a-zA-Z0-9_-]+");

  /**
   * A canonical tool-call id → a Bedrock upstream's: {@link #idToClient}'s id when it is at most 64
   * characters, else {@code sbh_} + a SHA-256 prefix, stable but not reversible (the upstream enforces the
   * limit, and only ids the gateway handed out come back from it).
   */
  static String idToWire(String id) {
    String encoded = idToClient(id);
    if (encoded.length() <= 64) return encoded;
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "sbh_" + java.util.HexFormat.of().formatHex(h, 0, 24);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A canonical tool-call id → the one a Bedrock client is given: unchanged when it is made of
   * {@code [a-zA-Z0-9_-]}, else {@value #ID_PREFIX} + the unpadded base64url of its UTF-8 bytes (reversed by
   * {@link #idFromWire}). Unlike {@link #idToWire} it never shortens an id past Bedrock's 64 characters: a
   * client sends its ids back only to the gateway, the AWS SDKs do not check the length, and a long id may
   * carry what must come back with the call (a Gemini thought signature).
   */
  static String idToClient(String id) {
    if (VALID_ID.matcher(id).matches() && !id.startsWith(ID_PREFIX)) return id;
    return ID_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  /** Undoes {@link #idToClient} (and so {@link #idToWire} where it did not hash); any other id is kept as it is. */
  static String idFromWire(String wire) {
    if (!wire.startsWith(ID_PREFIX)) return wire;
    String decoded;
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(wire.substring(ID_PREFIX.length()));
      decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return wire;
    }
    return idToClient(decoded).equals(wire) ? decoded : wire;
  }

  // ---- errors (PROTOCOLS.md 3.6, 3.7) ----

  /** The gateway error for a Bedrock error code (the {@code x-amzn-ErrorType} or exception type). */
  static GatewayError error(int status, String code, String message) {
    String msg = message == null || message.isBlank() ? "The upstream returned an error without a message." : message;
    String c = code == null ? "" : code;
    int colon = c.indexOf(':');
    if (colon >= 0) c = c.substring(0, colon);
    int hash = c.indexOf('#');
    if (hash >= 0) c = c.substring(hash + 1);
    String name = c.isEmpty() ? "" : Character.toUpperCase(c.charAt(0)) + c.substring(1);
    GatewayError.Kind kind;
    int byCode;
    switch (name) {
      case "ValidationException", "ServiceQuotaExceededException" -> { kind = GatewayError.Kind.INVALID_REQUEST; byCode = 400; }
      case "AccessDeniedException" -> { kind = GatewayError.Kind.PERMISSION; byCode = 403; }
      case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
          "MissingAuthenticationTokenException" -> { kind = GatewayError.Kind.AUTHENTICATION; byCode = 403; }
      case "ResourceNotFoundException" -> { kind = GatewayError.Kind.NOT_FOUND; byCode = 404; }
      case "ModelTimeoutException" -> { kind = GatewayError.Kind.TIMEOUT; byCode = 408; }
      case "ModelErrorException", "ModelStreamErrorException" -> { kind = GatewayError.Kind.UPSTREAM; byCode = 424; }
      case "ThrottlingException" -> { kind = GatewayError.Kind.RATE_LIMIT; byCode = 429; }
      case "ModelNotReadyException" -> { kind = GatewayError.Kind.UNAVAILABLE; byCode = 429; }
      case "InternalServerException" -> { kind = GatewayError.Kind.UPSTREAM; byCode = 500; }
      case "ServiceUnavailableException" -> { kind = GatewayError.Kind.UNAVAILABLE; byCode = 503; }
      default -> { kind = kindOf(status); byCode = 500; }
    }
    return new GatewayError(status > 0 ? status : byCode, kind, msg, null, name.isEmpty() ? null : name, -1);
  }

  private static GatewayError.Kind kindOf(int status) {
    return switch (status) {
      case 400, 409, 422 -> GatewayError.Kind.INVALID_REQUEST;
      case 401 -> GatewayError.Kind.AUTHENTICATION;
      case 403 -> GatewayError.Kind.PERMISSION;
      case 404 -> GatewayError.Kind.NOT_FOUND;
      case 408, 504 -> GatewayError.Kind.TIMEOUT;
      case 413 -> GatewayError.Kind.TOO_LARGE;
      case 429 -> GatewayError.Kind.RATE_LIMIT;
      case 503 -> GatewayError.Kind.UNAVAILABLE;
      default -> GatewayError.Kind.UPSTREAM;
    };
  }

  /** A client request Bedrock would refuse: a 400 ValidationException naming {@code field}. */
  static RejectedException invalid(String field, String problem) {
    return new RejectedException(GatewayError.invalid("1 validation error detected: " + field + ": " + problem,
        field, "ValidationException"));
  }

  static RejectedException badUpstream(String what) {
    return new RejectedException(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's answer could not be read as a Bedrock Converse response: " + what + ".",
        "bad_upstream_response"));
  }
}
