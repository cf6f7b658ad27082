package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.exchange.RequestIds;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Amazon Bedrock Converse ↔ the canonical model, for both sides of the gateway: a front door that speaks
 * Converse to its clients ({@link #decodeRequest}, {@link #encodeResponse}, {@link BedrockStreamEncoder},
 * {@link BedrockErrorFormat}) and a provider adapter whose upstream is Bedrock ({@link #encodeRequest},
 * {@link #decodeResponse}, {@link BedrockStreamDecoder}, {@link #decodeError}).
 *
 * <p>All methods are pure functions of their arguments and thread-safe. Whatever a translation cannot carry
 * is listed in the result's {@code dropped} list, one entry per feature, named as the source spelled it
 * (for example {@code messages.0.content.2 (video)}, {@code guardrailConfig}, {@code seed}).
 *
 * <p>Content blocks are tagged unions with exactly one member each. Tool-call ids are mapped to Bedrock's
 * pattern ({@code [a-zA-Z0-9_-]}, at most 64) the way the Anthropic codec does: ids that fit pass unchanged,
 * others travel as {@code sbx_} + base64url and are decoded back when they return.
 *
 * <p>Usage: Bedrock's {@code inputTokens} excludes cache reads and writes; the canonical input includes them.
 */
public final class BedrockConverseCodec {
  /** {@code maxTokens} sent with a thinking budget when the request sets none (Claude needs room beyond it). */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private BedrockConverseCodec() {}

  /** A decoded client request and what of it the canonical model could not carry (in the order met). */
  public record Decoded(ChatRequest request, List<String> dropped) {
    public Decoded {
      Objects.requireNonNull(request, "request");
      dropped = List.copyOf(dropped);
    }
  }

  /** An encoded Converse body (the same for converse and converse-stream) and what it could not carry. */
  public record Encoded(Buffer body, List<String> dropped) {
    public Encoded {
      Objects.requireNonNull(body, "body");
      dropped = List.copyOf(dropped);
    }
  }

  /** {@link #decodeRequest(Buffer, String, boolean)} for {@code /converse} (not streamed). */
  public static Decoded decodeRequest(Buffer body, String modelId) {
    return decodeRequest(body, modelId, false);
  }

  /**
   * A Converse request body as an AWS SDK sends it → canonical.
   *
   * <p>Validates as Bedrock does: {@code messages} required and non-empty, starting with a user message and
   * alternating; every block has exactly one union member; {@code temperature} and {@code topP} within 0..1.
   * {@code cachePoint} blocks become a {@link dev.switchboard.canonical.CacheMarker} on the part before them;
   * {@code additionalModelRequestFields.top_k} and {@code thinking} (and Nova's {@code reasoningConfig}) are
   * understood; plain-text documents become text (reported); images from S3 and binary documents are refused.
   * Guardrails, performance and prompt-variable settings, unknown blocks and fields are dropped and reported.
   *
   * @param modelId the model id from the path, decoded; becomes the canonical model name
   * @param stream true for {@code /converse-stream}
   * @throws RejectedException with a 400 {@code ValidationException} whose message and {@code param} name the
   *     field ({@code messages.1.content.0.toolUse.toolUseId})
   */
  public static Decoded decodeRequest(Buffer body, String modelId, boolean stream) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(modelId, "modelId");
    return RequestDecoder.decode(body, modelId, stream);
  }

  /**
   * Canonical → a Converse body for a Bedrock upstream.
   *
   * <p>Neighbouring messages of the same role are merged, a conversation that would start with the assistant
   * gets a user turn first (reported), tool results come first in user turns, and blank text is left out.
   * Reasoning is echoed as {@code reasoningContent} with its signature (unsigned reasoning is dropped). Tool
   * choice none has no Bedrock form: the tools are left out, or kept when the conversation's tool blocks need a
   * {@code toolConfig} (either way reported); tool blocks with no tools declared get minimal tool specs.
   * For Anthropic models ({@code anthropic.} in the id), top-k and thinking travel in
   * {@code additionalModelRequestFields} (an effort becomes a budget: minimal 1024, low 2048, medium 8192, high
   * 16384) and stop sequences ask for {@code /stop_sequence}; for others they are dropped. Dropped and reported:
   * seed, penalties, choices above 1, output format, {@code strict}, {@code user}, parallel tool calls off,
   * image urls.
   */
  public static Encoded encodeRequest(ChatRequest req, String upstreamModelId) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(upstreamModelId, "upstreamModelId");
    return RequestEncoder.encode(req, upstreamModelId);
  }

  /** {@link #decodeResponse(Buffer, String)} with a fresh id (Converse bodies carry none). */
  public static ChatResponse decodeResponse(Buffer body) {
    return decodeResponse(body, RequestIds.next());
  }

  /**
   * A Converse response (an upstream's 200 answer) → canonical. The stop sequence is read from
   * {@code additionalModelResponseFields.stop_sequence} when present; a body without usage gets an estimate
   * flagged as such.
   *
   * @param id the answer's id, typically the upstream's {@code x-amzn-RequestId}
   * @throws RejectedException a 502 when the body is not a Converse response, or the mapped error for an error body
   */
  public static ChatResponse decodeResponse(Buffer body, String id) {
    Objects.requireNonNull(id, "id");
    return ResponseCodec.decode(body, id);
  }

  /**
   * Canonical → a Converse response with every required member ({@code output}, {@code stopReason},
   * {@code usage} with all five counts, {@code metrics.latencyMs}).
   */
  public static Buffer encodeResponse(ChatResponse r, long latencyMs) {
    return ResponseCodec.encode(r, latencyMs);
  }

  /**
   * A Bedrock error response → the gateway's error: the code from {@code x-amzn-ErrorType} (else the body's
   * {@code code} or {@code __type}), the message from {@code message} or {@code Message}.
   *
   * @param errorType the {@code x-amzn-ErrorType} header, or null
   */
  public static GatewayError decodeError(int status, String errorType, Buffer body) {
    String code = errorType;
    String message = null;
    try {
      JsonNode root = ExactJson.parse(body, e -> new IllegalArgumentException(e));
      if (code == null || code.isBlank()) code = root.path("code").asString(root.path("__type").asString(null));
      message = root.path("message").asString(root.path("Message").asString(null));
    } catch (IllegalArgumentException e) {
      // not JSON: the status decides
    }
    return Wire.error(status, code, message);
  }
}
