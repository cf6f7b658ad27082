package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One planned answer in one protocol's wire format: what {@link ChatResponder} needs to send it, whole or as a stream.
 * The responder decides when bytes go out (pacing, cuts, back-pressure); the wire decides what they are. An instance
 * serves one exchange and is used on its event loop only.
 */
interface AnswerWire {
  /** The complete non-streamed response body. */
  Buffer body();

  /** Appends the stream's events that precede the first token. */
  void head(Buffer out);

  /** Appends the event carrying one token piece of choice {@code c}. */
  void piece(Buffer out, ChatAnswer.Choice c, String text);

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

  /** Makes the wire for a planned answer to {@code request}. */
  @FunctionalInterface
  interface Factory {
    AnswerWire create(ChatRequest request, List<ChatAnswer.Choice> choices);
  }
}
