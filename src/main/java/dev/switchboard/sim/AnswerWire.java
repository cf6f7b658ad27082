package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
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

  /**
   * Sets the protocol's response headers, just before a stream's head or a whole body goes out. The default suits
   * SSE streams; a whole body is sent as {@code application/json} in any case.
   */
  default void headers(HttpServerResponse response, boolean stream) {
    if (stream) streamHeaders(response, "text/event-stream; charset=utf-8");
  }

  /** The headers of a stream whose content type is {@code contentType}. */
  static void streamHeaders(HttpServerResponse response, String contentType) {
    response.putHeader("content-type", contentType).putHeader("cache-control", "no-cache");
  }

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

  /**
   * What a stream broken off mid-way by a CUT fault ends with: appends the protocol's in-stream error, if it has one
   * (Bedrock's exception frame), and returns true to end the stream cleanly after it (also right for a protocol
   * without an end marker, whose broken streams look like that); or returns false, the default, to reset the
   * connection instead.
   */
  default boolean breakOff(Buffer out) {
    return false;
  }

  /** Makes the wire for a planned answer to {@code request} whose prompt divides as {@code prompt}. */
  @FunctionalInterface
  interface Factory {
    AnswerWire create(ChatRequest request, List<ChatAnswer.Choice> choices, PromptUsage prompt);
  }
}
