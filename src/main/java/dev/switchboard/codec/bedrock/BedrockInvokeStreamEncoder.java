package dev.switchboard.codec.bedrock;

import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.codec.ExactJson;
import dev.switchboard.codec.anthropic.AnthropicStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import tools.jackson.core.JsonGenerator;

/**
 * Canonical {@link StreamEvent}s → an InvokeModelWithResponseStream body for a Claude-body client (PROTOCOLS.md 3.5):
 * the Anthropic stream events of {@link AnthropicStreamEncoder}, each in its own event-stream frame with
 * {@code :event-type chunk} and the payload {@code {"bytes":"<base64 of the event's JSON>"}}. The
 * {@code message_stop} event carries {@code amazon-bedrock-invocationMetrics} (input and output tokens as
 * Anthropic counts them, the invocation latency, and the latency to the first event), as Bedrock's does.
 *
 * <p>Pings are left out (Bedrock sends none). A {@link StreamEvent.Failure} becomes an exception frame
 * ({@link BedrockErrorFormat#INVOKE}), not an Anthropic {@code error} event, so the SDKs throw the typed
 * exception.
 *
 * <p>Not thread-safe: one per stream.
 */
public final class BedrockInvokeStreamEncoder {
  private static final Buffer EMPTY = Buffer.buffer(0);

  private final AnthropicStreamEncoder anthropic;
  private final LongSupplier elapsedMs;
  private long firstByteMs = -1;
  private Usage usage;

  /**
   * @param modelId the model id the client called, which {@code message_start} repeats
   * @param elapsedMs milliseconds since the invocation began; read at the first event and at the last
   */
  public BedrockInvokeStreamEncoder(String modelId, LongSupplier elapsedMs) {
    this.anthropic = new AnthropicStreamEncoder(modelId, this::chunk);
    this.elapsedMs = elapsedMs;
  }

  /** The frames for one event: none, one or several, concatenated. */
  public Buffer encode(StreamEvent event) {
    if (firstByteMs < 0) firstByteMs = elapsedMs.getAsLong();
    return switch (event) {
      case StreamEvent.Ping p -> EMPTY;
      case StreamEvent.Failure f -> BedrockErrorFormat.INVOKE.streamEvent(f.error());
      case StreamEvent.MessageDelta d -> {
        if (d.usage() != null) usage = d.usage();
        yield anthropic.encode(event);
      }
      default -> anthropic.encode(event);
    };
  }

  private Buffer chunk(String type, Consumer<JsonGenerator> fields) {
    byte[] json = ExactJson.bytes(g -> {
      g.writeStartObject();
      g.writeStringProperty("type", type);
      fields.accept(g);
      if (type.equals("message_stop")) metrics(g);
      g.writeEndObject();
    });
    byte[] payload = ExactJson.bytes(g -> {
      g.writeStartObject();
      g.writeName("bytes");
      g.writeString(Base64.getEncoder().encodeToString(json));
      g.writeEndObject();
    });
    return EventStreamEncoder.encode(EventStreamMessage.event("chunk", payload));
  }

  private void metrics(JsonGenerator g) {
    long read = usage == null ? 0 : usage.cacheReadTokens();
    long write = usage == null ? 0 : usage.cacheWriteTokens();
    g.writeName("amazon-bedrock-invocationMetrics");
    g.writeStartObject();
    g.writeNumberProperty("inputTokenCount", BedrockInvokeCodec.inputTokenCount(usage));
    g.writeNumberProperty("outputTokenCount", usage == null ? 0 : usage.outputTokens());
    g.writeNumberProperty("invocationLatency", Math.max(0, elapsedMs.getAsLong()));
    g.writeNumberProperty("firstByteLatency", Math.max(0, firstByteMs));
    if (read > 0) g.writeNumberProperty("cacheReadInputTokenCount", read);
    if (write > 0) g.writeNumberProperty("cacheWriteInputTokenCount", write);
    g.writeEndObject();
  }
}
