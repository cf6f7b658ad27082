package dev.switchboard.canonical;

import dev.switchboard.exchange.GatewayError;
import java.util.Objects;

/**
 * One event of a streamed answer. A well-formed stream is: {@link MessageStart}; for each content block,
 * {@link BlockStart}, its deltas, {@link BlockStop}; {@link MessageDelta} with the stop reason and the
 * final usage; {@link MessageStop}. {@link Failure} may end a stream at any point instead.
 */
public sealed interface StreamEvent {

  /** @param usage what is known at the start (usually the input tokens), or null */
  record MessageStart(String id, String model, Usage usage) implements StreamEvent {}

  /** What a block holds. */
  enum BlockKind { TEXT, TOOL_CALL, REASONING, REDACTED_REASONING }

  /**
   * A content block begins.
   *
   * @param toolCallId for TOOL_CALL blocks, the call's id; else null
   * @param toolName for TOOL_CALL blocks, the tool's name; else null
   */
  record BlockStart(int index, BlockKind kind, String toolCallId, String toolName) implements StreamEvent {}

  /** More text of a TEXT block. */
  record TextDelta(int index, String text) implements StreamEvent {
    public TextDelta {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A fragment of a TOOL_CALL block's arguments; the fragments concatenated are its JSON text. */
  record ToolArgumentsDelta(int index, String json) implements StreamEvent {}

  /** More text of a REASONING block. */
  record ReasoningDelta(int index, String text) implements StreamEvent {}

  /** The signature of a REASONING block (or a tool call's replay signature). */
  record SignatureDelta(int index, String signature) implements StreamEvent {}

  /** A block ends. */
  record BlockStop(int index) implements StreamEvent {}

  /** The answer's end state: why it stopped and the final, cumulative usage. */
  record MessageDelta(StopReason stopReason, String stopSequence, Usage usage) implements StreamEvent {}

  /** The stream is complete. */
  record MessageStop() implements StreamEvent {}

  /** A keep-alive with no content. */
  record Ping() implements StreamEvent {}

  /** The stream failed after it started; front doors send it as their in-stream error. */
  record Failure(GatewayError error) implements StreamEvent {}
}
