package dev.switchboard.codec.bedrock;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Usage;
import dev.switchboard.codec.ExactJson;
import dev.switchboard.codec.anthropic.AnthropicCodec;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Bedrock InvokeModel and InvokeModelWithResponseStream bodies ↔ the canonical model, for a front door that serves
 * them (PROTOCOLS.md 3.5). InvokeModel carries each model family's native body; Switchboard accepts one of them,
 * Claude's (an Anthropic Messages body with {@code "anthropic_version": "bedrock-2023-05-31"} and no
 * {@code model}), for every model it serves, and answers with an Anthropic message or, streamed,
 * {@link BedrockInvokeStreamEncoder}'s chunks. The Anthropic codec does the decoding and encoding; this class
 * adds what Bedrock puts around it. Pure functions, thread-safe.
 */
public final class BedrockInvokeCodec {
  /** The only {@code anthropic_version} Bedrock accepts in a Claude body. */
  public static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

  private static final String ACCEPTED = "Switchboard's InvokeModel accepts the Anthropic Claude body for every "
      + "model it serves: an Anthropic Messages body with \"anthropic_version\": \"" + ANTHROPIC_VERSION
      + "\" and without \"model\" or \"stream\", e.g. {\"anthropic_version\": \"" + ANTHROPIC_VERSION
      + "\", \"max_tokens\": 512, \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}. Other model "
      + "families' native bodies (Llama, Titan, Mistral, Cohere, …) are not translated; Converse "
      + "(POST /model/{modelId}/converse) works for every model.";

  private BedrockInvokeCodec() {}

  /**
   * An InvokeModel body → canonical.
   *
   * @param modelId the model id from the path, decoded; becomes the canonical model name
   * @param stream true for {@code /invoke-with-response-stream}
   * @throws RejectedException a 400 {@code ValidationException}: for a body that is not Claude's (the message says
   *     which body is accepted and that Converse serves every model), for a wrong {@code anthropic_version}, or
   *     for what the Anthropic codec refuses (the message names the field)
   */
  public static AnthropicCodec.Decoded decodeRequest(Buffer body, String modelId, boolean stream) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(modelId, "modelId");
    JsonNode root = ExactJson.parse(body, e -> invalid("Malformed input request: the body is not valid JSON ("
        + e.getOriginalMessage() + "). " + ACCEPTED, null));
    JsonNode version = root.isObject() ? root.get("anthropic_version") : null;
    if (version == null || version.isNull()) {
      throw invalid("Malformed input request: the body has no anthropic_version, so it is not the Anthropic Claude "
          + "body. " + ACCEPTED, "anthropic_version");
    }
    if (!version.isString() || !version.stringValue().equals(ANTHROPIC_VERSION)) {
      throw invalid("Malformed input request: anthropic_version: " + ExactJson.text(version) + " is not supported; "
          + "send \"" + ANTHROPIC_VERSION + "\".", "anthropic_version");
    }
    try {
      // bedrock-2023-05-31 predates 2023-06-01 and keeps its rules (sampling parameters allowed).
      return AnthropicCodec.decodePlatformRequest(root, modelId, stream, AnthropicCodec.VERSION_2023_06_01);
    } catch (RejectedException e) {
      GatewayError error = e.error();
      throw invalid("Malformed input request: " + error.message(), error.param());
    }
  }

  /** Canonical → the Anthropic message InvokeModel answers with, naming {@code modelId} as its model. */
  public static Buffer encodeResponse(ChatResponse r, String modelId) {
    return AnthropicCodec.encodeResponse(r, modelId);
  }

  /**
   * Bedrock's input token count ({@code X-Amzn-Bedrock-Input-Token-Count}, {@code inputTokenCount}): like
   * Anthropic's {@code input_tokens}, without the cache reads and writes that the canonical count includes.
   */
  public static long inputTokenCount(Usage u) {
    return u == null ? 0 : Math.max(0, u.inputTokens() - u.cacheReadTokens() - u.cacheWriteTokens());
  }

  private static RejectedException invalid(String message, String param) {
    return new RejectedException(GatewayError.invalid(message, param, "ValidationException"));
  }
}
