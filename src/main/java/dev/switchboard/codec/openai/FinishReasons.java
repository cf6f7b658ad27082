package dev.switchboard.codec.openai;

import dev.switchboard.canonical.StopReason;

/** OpenAI's {@code finish_reason} and the canonical {@link StopReason} (PROTOCOLS.md 5.3). */
final class FinishReasons {
  private FinishReasons() {}

  /**
   * @param finish the upstream's value, or null when it sent none
   * @param toolCalls whether the answer holds tool calls: OpenAI answers {@code stop} when a named tool was
   *     forced, and some compatible servers always do
   * @param refusal whether the answer holds a {@code refusal}
   */
  static StopReason decode(String finish, boolean toolCalls, boolean refusal) {
    if (finish == null) return toolCalls ? StopReason.TOOL_USE : refusal ? StopReason.REFUSAL : StopReason.END_TURN;
    return switch (finish) {
      case "length" -> StopReason.MAX_TOKENS;
      case "tool_calls", "function_call" -> StopReason.TOOL_USE;
      case "content_filter" -> StopReason.CONTENT_FILTER;
      // "stop", and whatever else a compatible server invents ("eos", "end_turn", ...): a normal end.
      default -> toolCalls ? StopReason.TOOL_USE : refusal ? StopReason.REFUSAL : StopReason.END_TURN;
    };
  }

  /**
   * @param toolCalls whether the answer holds tool calls: clients loop on {@code finish_reason == "tool_calls"},
   *     so an answer with calls says so even when its provider called it a normal end (Gemini does)
   */
  static String encode(StopReason reason, boolean toolCalls) {
    return switch (reason) {
      case END_TURN, STOP_SEQUENCE, PAUSE_TURN -> toolCalls ? "tool_calls" : "stop";
      case MAX_TOKENS, CONTEXT_WINDOW_EXCEEDED -> "length";
      case TOOL_USE -> "tool_calls";
      case CONTENT_FILTER, REFUSAL -> "content_filter";
    };
  }
}
