package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An Anthropic message as Bedrock's InvokeModel and InvokeModelWithResponseStream return it (PROTOCOLS.md 3.5): the
 * body is the model's own JSON with the token counts and latency in {@code X-Amzn-Bedrock-*} headers; a stream is
 * event-stream frames with {@code :event-type chunk} whose payload is {@code {"bytes":"<base64 of one Anthropic event>"}},
 * the last event ({@code message_stop}) carrying {@code amazon-bedrock-invocationMetrics}, which Bedrock adds to the
 * model's own JSON. A stream broken off mid-way ends with a {@code modelStreamErrorException} frame.
 */
final class InvokeFraming implements MessagesFraming {
  private static final byte[] BYTES_OPEN = "{\"bytes\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BYTES_CLOSE = "\"}".getBytes(StandardCharsets.US_ASCII);

  private final Exchange ex;
  private final int inputTokens;
  private final int outputTokens;
  private long firstByteMillis = -1;

  InvokeFraming(Exchange ex, int inputTokens, int outputTokens) {
    this.ex = ex;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
  }

  @Override
  public void headers(HttpServerResponse response, boolean stream) {
    if (stream) {
      response.putHeader("content-type", EventFrames.CONTENT_TYPE)
          .putHeader("x-amzn-bedrock-content-type", Wire.JSON);
    } else {
      response.putHeader("x-amzn-bedrock-input-token-count", Integer.toString(inputTokens))
          .putHeader("x-amzn-bedrock-output-token-count", Integer.toString(outputTokens))
          .putHeader("x-amzn-bedrock-invocation-latency", Long.toString(ex.elapsedMillis()));
    }
  }

  @Override
  public Buffer open(Buffer out, String type) {
    if (firstByteMillis < 0) firstByteMillis = ex.elapsedMillis();
    return Buffer.buffer(192);
  }

  @Override
  public void close(Buffer out, String type, Buffer json) {
    Buffer event = type.equals("message_stop") ? withMetrics(json) : json;
    Buffer payload = Buffer.buffer(event.length() * 4 / 3 + 16).appendBytes(BYTES_OPEN)
        .appendBytes(Base64.getEncoder().encode(event.getBytes())).appendBytes(BYTES_CLOSE);
    EventFrames.event(out, "chunk", payload);
  }

  @Override
  public boolean breakOff(Buffer out) {
    EventFrames.streamError(out, ex.deployment.name());
    return true;
  }

  /** {@code json} (an object) with Bedrock's invocation metrics added as its last member. */
  private Buffer withMetrics(Buffer json) {
    return json.getBuffer(0, json.length() - 1)
        .appendString(",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":").appendString(
            Integer.toString(inputTokens))
        .appendString(",\"outputTokenCount\":").appendString(Integer.toString(outputTokens))
        .appendString(",\"invocationLatency\":").appendString(Long.toString(ex.elapsedMillis()))
        .appendString(",\"firstByteLatency\":").appendString(Long.toString(Math.max(0, firstByteMillis)))
        .appendString("}}");
  }
}
