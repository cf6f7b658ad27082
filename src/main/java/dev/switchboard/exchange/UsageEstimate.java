package dev.switchboard.exchange;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import dev.switchboard.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The usage of an exchange whose upstream answered but never reported usage (a stream the client left, or that
 * broke): what it is billed for, estimated, and flagged {@link Usage#estimated()}.
 *
 * <p>Input: what the upstream said during the stream when it said anything (Anthropic reports input and cache
 * tokens at its start), else the text of the request body counted by a tokenizer (o200k; the upstream's own tokenizer
 * may differ by some percent; images are not counted). Output: one token per content delta relayed where deltas are
 * a token long (OpenAI-compatible servers and the simulator stream token by token), else four characters a token. Computed only when an exchange ends without usage, never on the request path of a normal one.
 */
final class UsageEstimate {
  /** Bodies longer than this are counted on their first part and scaled, so an abort never tokenizes megabytes. */
  private static final int TOKENIZE_LIMIT = 32 * 1024;

  private UsageEstimate() {}

  /**
   * @param body the client's request body, or null
   * @param soFar the latest usage the upstream reported during the stream (at its start, say), or null
   * @param deltas content deltas (text, tool arguments, reasoning) that reached the client
   * @param chars characters of those deltas, 0 where they were relayed as bytes without being read
   */
  static Usage of(Buffer body, Usage soFar, long deltas, long chars) {
    // Servers that stream token by token send deltas of a few characters: one token each. Longer deltas (several
    // tokens each, as Anthropic and Bedrock send) are counted at about four characters a token.
    long output = chars <= 8 * deltas ? deltas : (chars + 3) / 4;
    if (soFar != null && soFar.inputTokens() > 0) {
      return new Usage(soFar.inputTokens(), Math.max(output, soFar.outputTokens()), soFar.cacheReadTokens(),
          soFar.cacheWriteTokens(), soFar.reasoningTokens(), true);
    }
    return new Usage(inputTokens(body), output, 0, 0, 0, true);
  }

  /**
   * The tokens of the text a request carries: each string value of its JSON body, tokenized, plus the framing OpenAI
   * documents for chat input (3 tokens a message, 3 to prime the reply), taking each string as a message. Field
   * names, punctuation and identifiers (model, role, type, ids) are not prompt. A body that is not JSON is counted
   * whole. Past {@value #TOKENIZE_LIMIT} characters the count is scaled from what was counted, so that an abort never
   * tokenizes megabytes.
   */
  static long inputTokens(Buffer body) {
    if (body == null || body.length() == 0) return 0;
    try (JsonParser p = Json.MAPPER.createParser(body.getBytes())) {
      long tokens = FRAMING;
      long chars = 0;
      long countedChars = 0;
      long counted = 0;
      String field = null;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.PROPERTY_NAME) {
          field = p.currentName();
        } else if (t == JsonToken.VALUE_STRING) {
          String v = p.getString();
          if ((field != null && NOT_PROMPT.contains(field)) || blob(v)) continue;
          tokens += FRAMING;
          chars += v.length();
          if (countedChars < TOKENIZE_LIMIT) {
            counted += Tokenizer.O200K.countTokensOrdinary(v);
            countedChars += v.length();
          }
        }
      }
      return tokens + (countedChars == 0 ? 0 : (counted * chars + countedChars - 1) / countedChars);
    } catch (JacksonException e) {
      String text = body.toString(StandardCharsets.UTF_8);
      return Tokenizer.O200K.countTokensOrdinary(text.length() <= TOKENIZE_LIMIT ? text
          : text.substring(0, TOKENIZE_LIMIT)) * Math.max(1, text.length() / TOKENIZE_LIMIT);
    }
  }

  /** OpenAI's documented framing of chat input: tokens per message, and to prime the reply. */
  private static final int FRAMING = 3;

  /** Fields whose strings are identifiers or settings, not text the model reads as prompt. */
  private static final Set<String> NOT_PROMPT = Set.of("model", "role", "type", "anthropic_version", "media_type",
      "format", "id", "tool_use_id", "tool_call_id", "toolUseId", "detail", "cache_control", "stop_reason");

  /** Base64 images and documents: no spaces in a long run. Not counted (an image's tokens depend on its size). */
  private static boolean blob(String v) {
    return v.length() > 1024 && v.indexOf(' ') < 0;
  }

  /** Loaded at the first estimate, not at start: most runs never need it. */
  private static final class Tokenizer {
    static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  }
}
