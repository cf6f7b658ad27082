package dev.switchboard.exchange;

/**
 * An error a client will see: the HTTP status, the protocol-neutral kind, a machine code and a message
 * that says what to do. Front doors turn it into their own wire shape through {@link ErrorFormat}.
 *
 * @param param the request field at fault, or null
 * @param code a stable machine-readable code (e.g. {@code model_not_found}), or null
 * @param retryAfterSeconds a value for Retry-After, or -1 for none
 */
public record GatewayError(int status, Kind kind, String message, String param, String code, long retryAfterSeconds) {

  /** Protocol-neutral categories; every front door maps each to its own error type name. */
  public enum Kind { INVALID_REQUEST, AUTHENTICATION, PERMISSION, NOT_FOUND, TOO_LARGE, UNSUPPORTED_MEDIA,
    RATE_LIMIT, UPSTREAM, TIMEOUT, UNAVAILABLE, INTERNAL }

  /**
   * The code of a refusal because a budget is spent. Each protocol answers it as its own provider says "out of
   * credit": OpenAI 429 {@code insufficient_quota}, Anthropic 402 {@code billing_error}, Bedrock 400
   * {@code ServiceQuotaExceededException}; always with {@code x-should-retry: false}.
   */
  public static final String INSUFFICIENT_QUOTA = "insufficient_quota";

  public static GatewayError invalid(String message, String param, String code) {
    return new GatewayError(400, Kind.INVALID_REQUEST, message, param, code, -1);
  }

  public static GatewayError of(int status, Kind kind, String message, String code) {
    return new GatewayError(status, kind, message, null, code, -1);
  }

  public GatewayError withRetryAfter(long seconds) {
    return new GatewayError(status, kind, message, param, code, seconds);
  }
}
