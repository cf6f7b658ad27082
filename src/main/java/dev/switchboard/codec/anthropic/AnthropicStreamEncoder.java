package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * Canonical {@link StreamEvent}s → an Anthropic Messages stream, in the grammar the SDKs require
 * (PROTOCOLS.md 2.4): every event is an {@code event:} line, a {@code data:} line whose JSON repeats the
 * {@code type}, and a blank line.
 *
 * <p>{@code message_start} carries a whole message with empty content and the usage known so far (zeros
 * when the upstream reports usage only at the end, as OpenAI-compatible ones do); {@code message_delta}
 * carries the final, cumulative usage including the input and cache counts, so a client sees the right
 * totals whichever upstream answered. Block indexes are the canonical ones (0, 1, 2, …). A
 * REDACTED_REASONING block's data arrives as {@link StreamEvent.SignatureDelta}s and is sent whole in its
 * {@code content_block_start}, as Anthropic does, when the block stops. A signature on a tool call (Gemini's
 * replay signature) has no Anthropic form and is left out. A {@link StreamEvent.Failure} becomes
 * {@code event: error} (see {@link AnthropicErrorFormat#streamEvent}).
 *
 * <p>The events travel as SSE by default. A cloud platform that serves Claude wraps the same events its own
 * way (Bedrock's InvokeModelWithResponseStream: one event-stream chunk per event), so the wrapping is a
 * {@link Framing} given to the constructor.
 *
 * <p>Not thread-safe: one per stream.
 */
public final class AnthropicStreamEncoder {
  private static final Buffer EMPTY = Buffer.buffer(0);

  /** How one stream event travels. */
  @FunctionalInterface
  public interface Framing {
    /**
     * The bytes of the event whose JSON is an object with {@code "type": type} first, then what {@code fields}
     * writes.
     */
    Buffer frame(String type, Consumer<JsonGenerator> fields);
  }

  /** Anthropic's own: {@code event: <type>}, {@code data: <json>} and a blank line. */
  public static final Framing SSE = AnthropicStreamEncoder::event;

  private final String clientModel;
  private final Framing framing;
  private final Map<Integer, BlockKind> kinds = new HashMap<>();
  private final Map<Integer, StringBuilder> redacted = new HashMap<>();
  private Wire.Counts startCounts = Wire.Counts.ZERO;
  private boolean started;

  /** @param clientModel the model name the client asked for, which its answer repeats */
  public AnthropicStreamEncoder(String clientModel) {
    this(clientModel, SSE);
  }

  /**
   * @param clientModel the model name the client asked for, which its answer repeats
   * @param framing wraps each event, including the {@code error} event of a {@link StreamEvent.Failure}
   */
  public AnthropicStreamEncoder(String clientModel, Framing framing) {
    this.clientModel = clientModel;
    this.framing = framing;
  }

  /** The bytes for one event: zero, one or (before the first block of a stream without a start) two SSE events. */
  public Buffer encode(StreamEvent event) {
    return switch (event) {
      case StreamEvent.MessageStart s -> messageStart(s.id(), s.usage());
      case StreamEvent.BlockStart b -> blockStart(b);
      case StreamEvent.TextDelta d -> delta(d.index(), "text_delta", "text", d.text());
      case StreamEvent.ToolArgumentsDelta d ->
          d.json() == null || d.json().isEmpty() ? EMPTY : delta(d.index(), "input_json_delta", "partial_json", d.json());
      case StreamEvent.ReasoningDelta d -> delta(d.index(), "thinking_delta", "thinking", d.text());
      case StreamEvent.SignatureDelta d -> signature(d);
      case StreamEvent.BlockStop b -> blockStop(b.index());
      case StreamEvent.MessageDelta d -> {
        Wire.Counts counts = d.usage() == null ? startCounts : Wire.Counts.of(d.usage());
        yield framing.frame("message_delta", g -> {
          g.writeName("delta");
          g.writeStartObject();
          g.writeStringProperty("stop_reason", Wire.stopReason(
              d.stopReason() == null ? StopReason.END_TURN : d.stopReason()));
          g.writeStringProperty("stop_sequence", d.stopSequence());
          g.writeEndObject();
          counts.write(g);
        });
      }
      case StreamEvent.MessageStop s -> framing.frame("message_stop", g -> { });
      case StreamEvent.Ping p -> framing.frame("ping", g -> { });
      case StreamEvent.Failure f -> framing.frame("error", g -> AnthropicErrorFormat.error(g, f.error()));
    };
  }

  private Buffer messageStart(String id, Usage usage) {
    started = true;
    startCounts = Wire.Counts.of(usage);
    return framing.frame("message_start", g -> {
      g.writeName("message");
      g.writeStartObject();
      g.writeStringProperty("id", ResponseCodec.messageId(id));
      g.writeStringProperty("type", "message");
      g.writeStringProperty("role", "assistant");
      g.writeStringProperty("model", clientModel);
      g.writeName("content");
      g.writeStartArray();
      g.writeEndArray();
      g.writeNullProperty("stop_reason");
      g.writeNullProperty("stop_sequence");
      startCounts.write(g);
      g.writeEndObject();
    });
  }

  private Buffer blockStart(StreamEvent.BlockStart b) {
    Buffer prefix = started ? EMPTY : messageStart(null, null);
    kinds.put(b.index(), b.kind());
    if (b.kind() == BlockKind.REDACTED_REASONING) {
      redacted.put(b.index(), new StringBuilder());
      return prefix;
    }
    Buffer start = framing.frame("content_block_start", g -> {
      g.writeNumberProperty("index", b.index());
      g.writeName("content_block");
      g.writeStartObject();
      switch (b.kind()) {
        case TEXT -> {
          g.writeStringProperty("type", "text");
          g.writeStringProperty("text", "");
        }
        case TOOL_CALL -> {
          g.writeStringProperty("type", "tool_use");
          g.writeStringProperty("id", ToolIds.toWire(b.toolCallId() == null ? "" : b.toolCallId()));
          g.writeStringProperty("name", b.toolName() == null ? "" : b.toolName());
          g.writeName("input");
          g.writeStartObject();
          g.writeEndObject();
        }
        case REASONING -> {
          g.writeStringProperty("type", "thinking");
          g.writeStringProperty("thinking", "");
          g.writeStringProperty("signature", "");
        }
        case REDACTED_REASONING -> throw new AssertionError("sent at its stop");
      }
      g.writeEndObject();
    });
    return prefix.length() == 0 ? start : prefix.appendBuffer(start);
  }

  private Buffer signature(StreamEvent.SignatureDelta d) {
    BlockKind kind = kinds.get(d.index());
    if (kind == BlockKind.REASONING) return delta(d.index(), "signature_delta", "signature", d.signature());
    if (kind == BlockKind.REDACTED_REASONING) redacted.get(d.index()).append(d.signature());
    return EMPTY;
  }

  private Buffer blockStop(int index) {
    Buffer stop = framing.frame("content_block_stop", g -> g.writeNumberProperty("index", index));
    StringBuilder data = redacted.remove(index);
    if (data == null) return stop;
    return framing.frame("content_block_start", g -> {
      g.writeNumberProperty("index", index);
      g.writeName("content_block");
      g.writeStartObject();
      g.writeStringProperty("type", "redacted_thinking");
      g.writeStringProperty("data", data.toString());
      g.writeEndObject();
    }).appendBuffer(stop);
  }

  private Buffer delta(int index, String type, String field, String value) {
    return framing.frame("content_block_delta", g -> {
      g.writeNumberProperty("index", index);
      g.writeName("delta");
      g.writeStartObject();
      g.writeStringProperty("type", type);
      g.writeStringProperty(field, value);
      g.writeEndObject();
    });
  }

  /** {@code event: <type>}, {@code data: {"type":"<type>", …}} and the blank line. */
  static Buffer event(String type, Consumer<JsonGenerator> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    byte[] head = ("event: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
    out.write(head, 0, head.length);
    try (JsonGenerator g = ExactJson.MAPPER.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringProperty("type", type);
      fields.accept(g);
      g.writeEndObject();
    }
    out.write('\n');
    out.write('\n');
    return Buffer.buffer(out.toByteArray());
  }
}
