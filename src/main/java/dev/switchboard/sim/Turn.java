package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What one user or assistant message of an Anthropic or Converse request holds, once validated: its text, tool
 * results and uses, images, and where a cache marker ended the cacheable prefix. Mutable while its message is read.
 *
 * @param <P> how a tool result's position is named in error messages (a block index, or a path)
 */
final class Turn<P> {
  final StringBuilder text = new StringBuilder();
  boolean hasText;
  final List<String> toolResults = new ArrayList<>();
  /** A tool result's id → its position. */
  final Map<String, P> toolResultIds = new LinkedHashMap<>();
  final Set<String> toolUseIds = new LinkedHashSet<>();
  /** The media types of the images, in order. */
  final List<String> images = new ArrayList<>();
  /** A hash of the images' and documents' sources, for the cache key. */
  long media;
  /** Whether a cache marker ends the prefix in this message, and the state at the last one. */
  boolean marked;
  boolean markedContent;
  int markedResults;
  int markedText;
  long markedMedia;

  void appendText(String s) {
    if (hasText) text.append('\n');
    text.append(s);
    hasText = true;
  }

  void attach(JsonNode source) {
    media = Words.mix(media, Words.hash(Words.HASH_START, Json.MAPPER.writeValueAsString(source)));
  }

  /** The prefix ends after what was just read ({@code content}: content other than tool results). */
  void mark(boolean content) {
    marked = true;
    markedContent = content;
    markedResults = toolResults.size();
    markedText = text.length();
    markedMedia = media;
  }
}
