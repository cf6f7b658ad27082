package dev.switchboard.canonical;

/** Why the model stopped. Mapped to each protocol's own names by its codec (PROTOCOLS.md 5.3). */
public enum StopReason {
  END_TURN, STOP_SEQUENCE, MAX_TOKENS, CONTEXT_WINDOW_EXCEEDED, TOOL_USE, CONTENT_FILTER, REFUSAL, PAUSE_TURN
}
