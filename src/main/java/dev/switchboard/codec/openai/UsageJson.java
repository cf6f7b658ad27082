package dev.switchboard.codec.openai;

import dev.switchboard.canonical.Usage;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** OpenAI's {@code usage} object and the canonical {@link Usage} (PROTOCOLS.md 5.4): the same convention. */
final class UsageJson {
  private UsageJson() {}

  /** The usage in {@code node}, or null when it is not an object. */
  static Usage read(JsonNode node) {
    if (node == null || !node.isObject()) return null;
    return new Usage(count(node.get("prompt_tokens")), count(node.get("completion_tokens")),
        count(node.path("prompt_tokens_details").get("cached_tokens")), 0,
        count(node.path("completion_tokens_details").get("reasoning_tokens")), false);
  }

  /** Writes the usage object as OpenAI does: cached tokens are part of {@code prompt_tokens}, and itemised. */
  static void write(JsonGenerator g, Usage u) {
    g.writeStartObject();
    g.writeNumberProperty("prompt_tokens", u.inputTokens());
    g.writeNumberProperty("completion_tokens", u.outputTokens());
    g.writeNumberProperty("total_tokens", u.totalTokens());
    g.writeObjectPropertyStart("prompt_tokens_details");
    g.writeNumberProperty("cached_tokens", u.cacheReadTokens());
    g.writeEndObject();
    g.writeObjectPropertyStart("completion_tokens_details");
    g.writeNumberProperty("reasoning_tokens", u.reasoningTokens());
    g.writeEndObject();
    g.writeEndObject();
  }

  private static long count(JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToLong() ? Math.max(0, n.longValue()) : 0;
  }
}
