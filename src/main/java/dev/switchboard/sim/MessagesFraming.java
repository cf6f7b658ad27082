package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * How the events of an Anthropic message stream travel, and the headers that go with the answer: {@link #SSE} for
 * Anthropic's own API, {@link InvokeFraming} for an Anthropic model on Bedrock. {@link MessagesWire} writes each event's
 * JSON into the buffer {@link #open} returns and hands it back to {@link #close}. Used on one exchange's event loop.
 */
interface MessagesFraming {
  /** Server-sent events, {@code event: <type>\ndata: <json>\n\n}, written straight into the output. */
  MessagesFraming SSE = new MessagesFraming() {
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void headers(HttpServerResponse response, boolean stream) {
      if (stream) AnswerWire.streamHeaders(response, "text/event-stream; charset=utf-8");
    }

    @Override
    public Buffer open(Buffer out, String type) {
      return out.appendBytes(EVENT).appendString(type).appendBytes(DATA);
    }

    @Override
    public void close(Buffer out, String type, Buffer json) {
      out.appendBytes(END);
    }
  };

  /** Sets the response headers, just before a stream's head or a whole body goes out. */
  void headers(HttpServerResponse response, boolean stream);

  /** Starts event {@code type} in {@code out}; returns the buffer the event's JSON is to be appended to. */
  Buffer open(Buffer out, String type);

  /** Finishes the event that {@link #open} started; {@code json} is the buffer it returned, now holding the JSON. */
  void close(Buffer out, String type, Buffer json);

  /** As {@link AnswerWire#breakOff}. */
  default boolean breakOff(Buffer out) {
    return false;
  }
}
