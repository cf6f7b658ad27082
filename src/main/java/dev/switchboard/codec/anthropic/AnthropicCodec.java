package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic Messages ↔ the canonical model, for both sides of the gateway: a front door that speaks
 * Anthropic to its clients ({@link #decodeRequest}, {@link #encodeResponse}, {@link AnthropicStreamEncoder},
 * {@link AnthropicErrorFormat}) and a provider adapter whose upstream speaks it ({@link #encodeRequest},
 * {@link #decodeResponse}, {@link AnthropicStreamDecoder}, {@link #decodeError}).
 *
 * <p>All methods are pure functions of their arguments and thread-safe. Whatever a translation cannot
 * carry is listed in the result's {@code dropped} list, one entry per feature, named as the source spelled
 * it (for example {@code tools.1 (web_search_20250305)}, {@code temperature}, {@code seed}).
 *
 * <p>Tool-call ids are mapped between the canonical form (as the upstream gave them) and the Anthropic
 * pattern {@code ^[a-zA-Z0-9_-]+$} by a stateless, reversible mapping: ids that fit pass unchanged, others
 * travel as {@code sbx_} + base64url of the id, and are decoded back when they return.
 */
public final class AnthropicCodec {
  /** The classic API version (older SDK majors; sampling parameters allowed). */
  public static final String VERSION_2023_06_01 = "2023-06-01";
  /** The API version of current SDK majors: rejects temperature, top_p and top_k (PROTOCOLS.md 2.1). */
  public static final String VERSION_2026_10_21 = "2026-10-21";
  /** {@code max_tokens} sent upstream when the client set none (Anthropic requires one). */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private AnthropicCodec() {}

  /**
   * A decoded client request and what of it the canonical model could not carry.
   *
   * @param dropped features left out, in the order met; empty when nothing was lost
   */
  public record Decoded(ChatRequest request, List<String> dropped) {
    public Decoded {
      Objects.requireNonNull(request, "request");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * An encoded upstream request and what of the canonical request it could not carry.
   *
   * @param body the JSON body for {@code POST /v1/messages}, to send with the {@code anthropic-version}
   *     it was encoded for
   * @param dropped features left out or changed, in the order met; empty when nothing was lost
   */
  public record Encoded(Buffer body, List<String> dropped) {
    public Encoded {
      Objects.requireNonNull(body, "body");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * A Messages request body as a client sent it → canonical.
   *
   * <p>Accepts the system prompt at the top level and as {@code role: system} entries in {@code messages}
   * (top level first). Validates as the Anthropic API does: {@code model}, {@code max_tokens} and
   * {@code messages} are required, and with {@code apiVersion} 2026-10-21 or later {@code temperature},
   * {@code top_p} and {@code top_k} are rejected, as are document blocks in assistant messages and
   * citations in user messages. Plain-text documents become text (reported); PDF and file documents and
   * Files-API images are rejected, since no other provider could read them through the canonical model.
   * Server tools, server-tool result blocks, {@code search_result} blocks, adaptive thinking,
   * {@code output_config.effort} and unknown top-level fields are dropped and reported.
   *
   * @param apiVersion the client's {@code anthropic-version} header
   * @throws RejectedException with a 400 {@code invalid_request_error} whose message names the field, in
   *     Anthropic's phrasing ({@code messages.1.content.0.tool_use_id: Field required})
   */
  public static Decoded decodeRequest(Buffer body, String apiVersion) {
    return RequestDecoder.decode(body, apiVersion);
  }

  /**
   * A Messages body as a cloud platform takes it (Claude on Bedrock's InvokeModel) → canonical: the model and
   * whether to stream come from the platform's URL, so {@code model} and {@code stream} in the body are refused,
   * and {@code anthropic_version} (the platform's version, which the caller checks) is skipped. Everything
   * else is decoded and validated as {@link #decodeRequest} does.
   *
   * @param body the parsed body, a JSON object
   * @param apiVersion the Messages API version whose rules the platform's version follows
   * @throws RejectedException with a 400 {@code invalid_request_error} naming the field
   */
  public static Decoded decodePlatformRequest(JsonNode body, String model, boolean stream, String apiVersion) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(model, "model");
    return RequestDecoder.decodePlatform(body, model, stream, apiVersion);
  }

  /** {@link #encodeRequest(ChatRequest, String, String, int)} for API version 2023-06-01 and {@value #DEFAULT_MAX_TOKENS} tokens. */
  public static Encoded encodeRequest(ChatRequest req, String upstreamModel) {
    return encodeRequest(req, upstreamModel, VERSION_2023_06_01, DEFAULT_MAX_TOKENS);
  }

  /**
   * Canonical → a Messages body for an Anthropic upstream.
   *
   * <p>The system prompt becomes top-level text blocks; neighbouring messages of the same role are merged
   * and each user message's tool results put first; empty text is left out. Reasoning parts are echoed as
   * thinking blocks with their signatures (unsigned reasoning, which Anthropic would reject, is dropped).
   * When the request sets no maximum, {@code defaultMaxTokens} is sent (plus the thinking budget, which
   * Anthropic counts against it). A reasoning effort becomes a thinking budget (minimal 1024, low 2048,
   * medium 8192, high 16384). Dropped and reported: seed, penalties, choices above 1, structured output
   * (Anthropic's {@code output_config.format} is not sent, because not every Anthropic model or compatible
   * upstream accepts it), {@code strict} on tools, metadata other than {@code user_id}, sampling
   * parameters that {@code apiVersion} or thinking forbid, and thinking where Anthropic would refuse it
   * (a forced tool call; continuing a tool turn that has no signed thinking). A temperature above 1 is
   * clamped to 1. The client's {@code user} becomes {@code metadata.user_id} when there is no other.
   *
   * @param apiVersion the {@code anthropic-version} the body will be sent with
   * @param defaultMaxTokens {@code max_tokens} when the request has none
   */
  public static Encoded encodeRequest(ChatRequest req, String upstreamModel, String apiVersion,
      int defaultMaxTokens) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    Objects.requireNonNull(apiVersion, "apiVersion");
    if (defaultMaxTokens < 1) throw new IllegalArgumentException("defaultMaxTokens : " + defaultMaxTokens + " (expected: >= 1)");
    return RequestEncoder.encode(req, upstreamModel, apiVersion, defaultMaxTokens);
  }

  /**
   * An Anthropic message (an upstream's 200 answer) → canonical. Usage follows the canonical convention:
   * input = {@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}, with reads and
   * writes itemised. Server-tool blocks are skipped. A message without usage gets an estimate flagged as
   * such.
   *
   * @throws RejectedException a 502 when the body is not an Anthropic message, or the mapped error when
   *     it is an Anthropic error object
   */
  public static ChatResponse decodeResponse(Buffer body) {
    return ResponseCodec.decode(body);
  }

  /**
   * Canonical → an Anthropic {@code message} for a client: id prefixed {@code msg_} when it is not
   * already, the client's model name, and usage with {@code input_tokens} excluding the cache counts.
   */
  public static Buffer encodeResponse(ChatResponse r, String clientModel) {
    return ResponseCodec.encode(r, clientModel);
  }

  /**
   * An Anthropic upstream's error response → the gateway's error: the kind from {@code error.type}
   * ({@code overloaded_error} → UNAVAILABLE, {@code rate_limit_error} → RATE_LIMIT, …), the status as
   * received, the upstream's message, and the type as the code. A body that is not Anthropic's error JSON
   * is classified by status alone.
   */
  public static GatewayError decodeError(int status, Buffer body) {
    JsonNode root;
    try {
      root = ExactJson.parse(body, e -> new IllegalArgumentException(e));
    } catch (IllegalArgumentException e) {
      return Wire.error(status, null, null);
    }
    JsonNode err = root.path("error");
    return Wire.error(status, err.path("type").asString(null), err.path("message").asString(null));
  }
}
