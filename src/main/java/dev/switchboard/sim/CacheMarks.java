package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a request's last prompt-cache marker (Anthropic {@code cache_control}, Bedrock {@code cachePoint}) ends its
 * cacheable prefix, as a protocol's parser meets the markers. The prompt's order is tools, then system, then messages:
 * a marker in the system prompt or the messages replaces any earlier one there, and a marker among the tools counts
 * only when nothing after the tools is marked. Used by one parse on one thread.
 */
final class CacheMarks {
  private int count;
  private int messages = -1;
  private Prompt.Message partial;
  private int tools = -1;

  /** Counts one more marker; returns how many there are now. */
  int add() {
    return ++count;
  }

  int count() {
    return count;
  }

  /**
   * The prefix ends after the first {@code messages} prompt messages, followed by {@code partial} (the marked message
   * cut after the marked block) unless it is null.
   */
  void endAt(int messages, Prompt.Message partial) {
    this.messages = messages;
    this.partial = partial;
  }

  /** A marker among the tools: the prefix holds the first {@code tools} offered tools. */
  void endAtTools(int tools) {
    this.tools = tools;
  }

  /** The prefix of the prompt made of {@code tools} and {@code messages}, or null if nothing is marked. */
  Prompt.CachePrefix prefix(String model, List<ChatRequest.Tool> tools, List<Prompt.Message> messages,
      int promptTokens) {
    if (this.messages >= 0) {
      List<Prompt.Message> upTo = new ArrayList<>(messages.subList(0, this.messages));
      if (partial != null) upTo.add(partial);
      return Prompt.cachePrefix(model, tools, upTo, promptTokens);
    }
    if (this.tools >= 0) return Prompt.cachePrefix(model, tools.subList(0, this.tools), List.of(), promptTokens);
    return null;
  }
}
