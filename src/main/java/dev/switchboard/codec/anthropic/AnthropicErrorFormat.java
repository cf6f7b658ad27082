package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.exchange.ErrorFormat;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JsonGenerator;

/**
 * Anthropic's error shape (PROTOCOLS.md 2.6): {@code {"type":"error","error":{"type","message"},"request_id"}}
 * as a whole response, and {@code event: error} with {@code {"type":"error","error":{"type","message"}}}
 * inside a stream (the SDKs throw on it).
 *
 * <p>The {@code error.type} follows the status, because the SDKs choose their exception class by status:
 * 400 {@code invalid_request_error} (also 415, 422), 401 {@code authentication_error}, 402
 * {@code billing_error}, 403 {@code permission_error}, 404 {@code not_found_error}, 409
 * {@code conflict_error}, 413 {@code request_too_large}, 429 {@code rate_limit_error}, 500 and 502
 * {@code api_error}, 503 and 529 {@code overloaded_error}, 408 and 504 {@code timeout_error}; any other status
 * by the error's kind. Thread-safe.
 */
public final class AnthropicErrorFormat implements ErrorFormat {
  public static final AnthropicErrorFormat INSTANCE = new AnthropicErrorFormat();

  private AnthropicErrorFormat() {}

  /** The body without a request id ({@link ErrorFormat} does not pass one); prefer {@link #body(GatewayError, String)}. */
  @Override
  public Buffer body(GatewayError error) {
    return body(error, null);
  }

  /** The body, with {@code request_id} when {@code requestId} is not null. */
  @Override
  public Buffer body(GatewayError error, String requestId) {
    return ExactJson.json(g -> {
      g.writeStartObject();
      g.writeStringProperty("type", "error");
      error(g, error);
      if (requestId != null) g.writeStringProperty("request_id", requestId);
      g.writeEndObject();
    });
  }

  @Override
  public Buffer streamEvent(GatewayError error) {
    return AnthropicStreamEncoder.event("error", g -> error(g, error));
  }

  /** Anthropic's {@code error.type} for this error. */
  public static String type(GatewayError error) {
    return spentBudget(error) ? "billing_error" : Wire.errorType(error);
  }

  /**
   * A spent budget is a 402 {@code billing_error}, which the SDKs raise as their payment-required exception and
   * never retry, rather than a 429 that reads as "slow down".
   */
  @Override
  public int httpStatus(GatewayError error) {
    return spentBudget(error) ? 402 : error.status();
  }

  private static boolean spentBudget(GatewayError error) {
    return GatewayError.INSUFFICIENT_QUOTA.equals(error.code());
  }

  /** Writes the {@code "error"} member of both shapes. */
  static void error(JsonGenerator g, GatewayError error) {
    g.writeName("error");
    g.writeStartObject();
    g.writeStringProperty("type", type(error));
    g.writeStringProperty("message", error.message());
    g.writeEndObject();
  }
}
