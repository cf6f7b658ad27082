package dev.switchboard.codec.openai;

import dev.switchboard.util.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Checks on JSON kept as text (tool schemas, tool-call arguments, output schemas), and an incremental detector
 * of where streamed arguments end.
 */
final class JsonText {
  private JsonText() {}

  /** Null when {@code text} is exactly one JSON object, else what is wrong with it (for an error message). */
  static String objectProblem(String text) {
    try (JsonParser p = Json.MAPPER.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) return "it is empty";
      if (first != JsonToken.START_OBJECT) return "it is not a JSON object";
      p.skipChildren();
      if (p.nextToken() != null) return "there is more after the JSON object";
      return null;
    } catch (JacksonException e) {
      return "it is not valid JSON (" + e.getOriginalMessage() + ")";
    }
  }

  /**
   * Follows a JSON value fed in fragments and notes when its outermost object or array closes: after that,
   * a well-formed producer sends nothing more for it but white space. Scalars at the top level never count as
   * complete. Not thread-safe.
   */
  static final class EndTracker {
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean complete;

    void feed(String fragment) {
      for (int i = 0, n = fragment.length(); i < n && !complete; i++) {
        char c = fragment.charAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c == '\\') escaped = true;
          else if (c == '"') inString = false;
          continue;
        }
        switch (c) {
          case '"' -> inString = true;
          case '{', '[' -> depth++;
          case '}', ']' -> {
            depth--;
            if (depth == 0) complete = true;
          }
          default -> { }
        }
      }
    }

    boolean complete() {
      return complete;
    }
  }
}
