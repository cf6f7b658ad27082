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
 * model's own JSON. The input token count is the uncached input, as the body's {@code input_tokens}; cache reads and
 * writes, when there are any, have headers and metrics of their own. A stream broken off mid-way ends with a
 * {@code modelStreamErrorException} frame.
 */
final class InvokeFraming implements MessagesFraming {
  private static final byte[] BYTES_OPEN = "{\"bytes\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BYTES_CLOSE = "\"}".getBytes(StandardCharsets.US_ASCII);

  private final Exchange ex;
  private final PromptUsage prompt;
  private final int outputTokens;
  private long firstByteMillis = -1;

  InvokeFraming(Exchange ex, PromptUsage prompt, int outputTokens) {
    this.ex = ex;
    this.prompt = prompt;
    this.outputTokens = outputTokens;
  }

  @Override
  public void headers(HttpServerResponse response, boolean stream) {
    if (stream) {
      response.putHeader("content-type", EventFrames.CONTENT_TYPE)
          .putHeader("x-amzn-bedrock-content-type", Wire.JSON);
    } else {
      response.putHeader("x-amzn-bedrock-input-token-count", Integer.toString(prompt.inputTokens()))
          .putHeader("x-amzn-bedrock-output-token-count", Integer.toString(outputTokens))
          .putHeader("x-amzn-bedrock-invocation-latency", Long.toString(ex.elapsedMillis()));
      if (cached()) {
        response.putHeader("x-amzn-bedrock-cache-read-input-token-count", Integer.toString(prompt.cacheReadTokens()))
            .putHeader("x-amzn-bedrock-cache-write-input-token-count", Integer.toString(prompt.cacheWriteTokens()));
      }
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
    Buffer out = json.getBuffer(0, json.length() - 1)
        .appendString(",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":").appendString(
            Integer.toString(prompt.inputTokens()))
        .appendString(",\"outputTokenCount\":").appendString(Integer.toString(outputTokens))
        .appendString(",\"invocationLatency\":").appendString(Long.toString(ex.elapsedMillis()))
        .appendString(",\"firstByteLatency\":").appendString(Long.toString(Math.max(0, firstByteMillis)));
    if (cached()) {
      out.appendString(",\"cacheReadInputTokenCount\":").appendString(Integer.toString(prompt.cacheReadTokens()))
          .appendString(",\"cacheWriteInputTokenCount\":").appendString(Integer.toString(prompt.cacheWriteTokens()));
    }
    return out.appendString("}}");
  }

  /** Whether the request marked a cache prefix, so that Bedrock reports cache reads and writes. */
  private boolean cached() {
    return prompt.cacheReadTokens() > 0 || prompt.cacheWriteTokens() > 0;
  }
}
