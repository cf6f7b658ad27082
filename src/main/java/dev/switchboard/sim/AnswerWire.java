package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One planned answer in one protocol's wire format: what {@link ChatResponder} needs to send it, whole or as a stream.
 * The responder decides when bytes go out (pacing, cuts, back-pressure); the wire decides what they are. An instance
 * serves one exchange and is used on its event loop only.
 *
 * <p>A choice's content is one block (its text) or one block per tool call, numbered from 0 as
 * {@link ChatAnswer.Choice#blockAt} numbers them. The stream opens block 0 in {@link #head}, each later block with
 * {@link #nextBlock} just before its first piece, and closes the last one in {@link #tail}.
 */
interface AnswerWire {
  /** The complete non-streamed response body. */
  Buffer body();

  /** Appends the stream's events that precede the first token, block 0 of every choice opened. */
  void head(Buffer out);

  /** Appends the events that close block {@code block - 1} of choice {@code c} and open block {@code block}. */
  void nextBlock(Buffer out, ChatAnswer.Choice c, int block);

  /** Appends the event carrying one token piece of block {@code block} of choice {@code c}. */
  void piece(Buffer out, ChatAnswer.Choice c, int block, String text);

  /** Appends the stream's events that follow the last token, up to and including its end marker. */
  void tail(Buffer out);

  /**
   * Completion tokens the answer bills beyond its choices' pieces (Gemini's thinking); the ledger counts them as sent
   * with the head, whether or not their text is shown.
   */
  default int extraTokens() {
    return 0;
  }

  /** The stream's {@code content-type}. */
  default String streamContentType() {
    return "text/event-stream; charset=utf-8";
  }

  /**
   * Whether a stream cut by a CUT fault ends cleanly after the chunks sent (a protocol without an end marker, whose
   * broken streams look like that) instead of with a connection reset.
   */
  default boolean endsWhenCut() {
    return false;
  }

  /** Makes the wire for a planned answer to {@code request} whose prompt divides as {@code prompt}. */
  @FunctionalInterface
  interface Factory {
    AnswerWire create(ChatRequest request, List<ChatAnswer.Choice> choices, PromptUsage prompt);
  }
}
