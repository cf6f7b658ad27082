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

  /** Makes the wire for a planned answer to {@code request}. */
  @FunctionalInterface
  interface Factory {
    AnswerWire create(ChatRequest request, List<ChatAnswer.Choice> choices);
  }
}
