package dev.switchboard.provider.openai;

import dev.switchboard.canonical.Usage;
import dev.switchboard.stream.ByteArrays;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the {@code usage} object (and whether {@code choices} is empty) out of one OpenAI JSON document, or out of
 * the last bytes of a plain answer.
 */
final class OpenAiUsage {
  private static final byte[] USAGE_KEY = ByteArrays.ascii("\"usage\":");

  /** The usage found, and whether the document's {@code choices} array was present and empty. */
  record Found(Usage usage, boolean emptyChoices) {}

  private OpenAiUsage() {}

  /** Parses {@code json[from, to)}; returns null when it is not an object with a usage object. */
  static Found read(byte[] json, int from, int to) {
    try (JsonParser p = Json.MAPPER.createParser(json, from, to - from)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Usage usage = null;
      boolean emptyChoices = false;
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("usage".equals(name) && t == JsonToken.START_OBJECT) {
          usage = usage(p);
        } else if ("choices".equals(name) && t == JsonToken.START_ARRAY) {
          emptyChoices = p.nextToken() == JsonToken.END_ARRAY;
          if (!emptyChoices) {
            p.skipChildren();
            skipToArrayEnd(p);
          }
        } else {
          p.skipChildren();
        }
      }
      return usage == null ? null : new Found(usage, emptyChoices);
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * Keeps the end of a body that arrives in pieces: where OpenAI-compatible servers put {@code usage} in a
   * plain (not streamed) answer. The usual one-piece answer is kept by reference, without a copy (Vert.x hands
   * every piece over in a heap buffer of its own, which nothing releases); later pieces are joined to the last
   * {@code limit} bytes of the tail. Returns the new tail; {@code tail} may be null.
   */
  static Buffer keepTail(Buffer tail, Buffer chunk, int limit) {
    if (tail == null || chunk.length() >= limit) return chunk;
    int keep = Math.min(tail.length(), limit);
    return Buffer.buffer(keep + chunk.length()).appendBuffer(tail, tail.length() - keep, keep).appendBuffer(chunk);
  }

  /**
   * The usage object of a plain answer, read from its last bytes (see {@link #keepTail}), or null when there is none.
   * Looks for the last {@code "usage":} followed by an object: those bytes cannot occur inside a JSON string, where the
   * quotes would be escaped.
   */
  static Usage fromTail(Buffer tail) {
    if (tail == null) return null;
    ByteArrays.View view = ByteArrays.view(tail);
    byte[] a = view.array();
    int end = view.offset() + tail.length();
    int at = -1;
    int start = Math.max(view.offset(), end - 8 * 1024); // usage and what follows it fit well within this
    for (int from = start, i; (i = ByteArrays.indexOf(a, from, end, USAGE_KEY)) >= 0; from = i + 1) at = i;
    if (at < 0) return null;
    int v = ByteArrays.skipSpace(a, at + USAGE_KEY.length, end);
    if (v >= end || a[v] != '{') return null;
    try (JsonParser p = Json.MAPPER.createParser(a, v, end - v)) {
      p.nextToken();
      return usage(p);
    } catch (JacksonException e) {
      return null;
    }
  }

  private static void skipToArrayEnd(JsonParser p) {
    // We consumed the first element's start token; skipChildren() finished that element. Skip the rest.
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) p.skipChildren();
  }

  private static Usage usage(JsonParser p) {
    long prompt = 0;
    long completion = 0;
    long cached = 0;
    long reasoning = 0;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "prompt_tokens" -> prompt = number(p, t);
        case "completion_tokens" -> completion = number(p, t);
        case "prompt_tokens_details" -> cached = detail(p, t, "cached_tokens");
        case "completion_tokens_details" -> reasoning = detail(p, t, "reasoning_tokens");
        default -> p.skipChildren();
      }
    }
    return new Usage(prompt, completion, cached, 0, reasoning, false);
  }

  private static long detail(JsonParser p, JsonToken t, String field) {
    if (t != JsonToken.START_OBJECT) return 0;
    long value = 0;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (field.equals(name)) value = number(p, v);
      else p.skipChildren();
    }
    return value;
  }

  private static long number(JsonParser p, JsonToken t) {
    return t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
  }
}
