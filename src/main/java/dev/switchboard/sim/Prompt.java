package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The prompt as the simulator measures it, whichever protocol it arrived in: the offered tools, then the conversation
 * as the OpenAI message list a translating gateway would send (role and text per message). Every protocol's parser
 * reduces its request to this, so the same conversation gets the same usage and the same answer from every protocol.
 *
 * <p>Prompt tokens: 3, plus each tool's cl100k tokens (its name and its schema as JSON with sorted keys, so that a
 * translation that reorders keys does not change the count), plus each message's cl100k tokens + 3. Images and other
 * attachments count no tokens; they only change the cache key ({@link Message#media}).
 */
final class Prompt {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String SEPARATOR = "\u001f";

  private Prompt() {}

  /**
   * One message of the equivalent OpenAI conversation.
   *
   * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
   * @param text what is counted: text parts joined with newlines, an assistant's tool-call arguments after its text
   * @param media a hash of the message's attachments (images), 0 for none: part of the cache key, not of the count
   */
  record Message(String role, String text, long media) {
    Message(String role, String text) {
      this(role, text, 0);
    }
  }

  /**
   * The cacheable part of a prompt: everything up to and including the last block a client marked for caching.
   *
   * @param tokens its prompt tokens, counted like the whole prompt's (never more than the whole prompt's)
   * @param hash what identifies its content, model included: equal prefixes have equal hashes
   */
  record CachePrefix(int tokens, long hash) {}

  static int tokens(List<ChatRequest.Tool> tools, List<Message> messages) {
    int n = 3;
    for (ChatRequest.Tool t : tools) n += Tokens.count(t.name()) + Tokens.count(schemaText(t));
    for (Message m : messages) n += 3 + Tokens.count(m.text());
    return n;
  }

  /** The seed of the deterministic answers: the messages' roles and text (not tools or media). */
  static long seed(List<Message> messages) {
    long h = Words.HASH_START;
    for (Message m : messages) h = Words.hash(Words.hash(h, m.role()), m.text());
    return h;
  }

  /**
   * The cache prefix made of {@code tools} and {@code messages} (the caller has cut both at the last marker), capped
   * at {@code promptTokens}: a prefix whose last message is cut mid-text can tokenize a little differently.
   */
  static CachePrefix cachePrefix(String model, List<ChatRequest.Tool> tools, List<Message> messages, int promptTokens) {
    long h = field(Words.HASH_START, model);
    for (ChatRequest.Tool t : tools) h = field(field(h, t.name()), schemaText(t));
    for (Message m : messages) h = Words.mix(field(field(h, m.role()), m.text()), m.media());
    return new CachePrefix(Math.min(tokens(tools, messages), promptTokens), h);
  }

  /** Continues {@code h} over {@code s} and a separator, so that ("ab","c") and ("a","bc") differ. */
  static long field(long h, String s) {
    return Words.hash(Words.hash(h, s), SEPARATOR);
  }

  private static String schemaText(ChatRequest.Tool t) {
    JsonNode schema = t.parameters();
    return schema == null || schema.isNull() ? "" : Json.MAPPER.writeValueAsString(sorted(schema));
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      Map<String, JsonNode> byName = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) byName.put(e.getKey(), e.getValue());
      ObjectNode o = NODES.objectNode();
      byName.forEach((k, v) -> o.set(k, sorted(v)));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = NODES.arrayNode(n.size());
      for (JsonNode e : n) a.add(sorted(e));
      return a;
    }
    return n;
  }
}
