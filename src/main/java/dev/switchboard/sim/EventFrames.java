package dev.switchboard.sim;

import dev.switchboard.stream.eventstream.EventStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import tools.jackson.core.JsonGenerator;

/**
 * AWS event-stream frames as Bedrock's streams carry them (PROTOCOLS.md 3.4, 3.7): events whose payload is the JSON of
 * a union member, and the exception that ends a stream broken off mid-way. The framing itself (lengths, CRCs,
 * headers) is the gateway's {@code EventStreamEncoder}; the AWS SDKs that read the simulator check it independently.
 */
final class EventFrames {
  static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private EventFrames() {}

  /** Appends an event frame: {@code :event-type} {@code type}, payload {@code json}. */
  static void event(Buffer out, String type, Buffer json) {
    event(out, type, json.getBytes());
  }

  static void event(Buffer out, String type, byte[] json) {
    out.appendBuffer(EventStreamEncoder.encode(EventStreamMessage.event(type, json)));
  }

  /**
   * Appends the {@code modelStreamErrorException} Bedrock sends when the model fails mid-stream; the AWS SDKs raise it
   * as {@code ModelStreamErrorException}.
   */
  static void streamError(Buffer out, String deployment) {
    String message = "The model stopped producing output (simulated stream failure on " + deployment + ").";
    Buffer json = Buffer.buffer(160);
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeStringProperty("message", message);
      g.writeNumberProperty("originalStatusCode", 500);
      g.writeStringProperty("originalMessage", message);
      g.writeEndObject();
    }
    out.appendBuffer(EventStreamEncoder.encode(
        EventStreamMessage.exception("modelStreamErrorException", json.getBytes())));
  }
}
