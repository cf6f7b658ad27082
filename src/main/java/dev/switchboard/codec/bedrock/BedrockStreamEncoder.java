package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.stream.eventstream.EventStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import tools.jackson.core.JsonGenerator;

/**
 * Canonical {@link StreamEvent}s → a ConverseStream body of event-stream frames (PROTOCOLS.md 3.3):
 * {@code messageStart}; per block a {@code contentBlockStart} (tool calls only, as Bedrock does), its
 * {@code contentBlockDelta}s and a {@code contentBlockStop}; {@code messageStop} with the stop reason; then
 * {@code metadata} with the usage and {@code metrics.latencyMs} last, when the canonical {@link StreamEvent.MessageStop}
 * arrives.
 *
 * <p>Tool arguments go out as string fragments; a tool call that received none gets {@code "{}"} before it stops,
 * so the concatenation is always a JSON object. Reasoning goes out as {@code reasoningContent} text and signature
 * deltas; a REDACTED_REASONING block's data (canonical {@link StreamEvent.SignatureDelta}s) as
 * {@code redactedContent}. A tool call's replay signature has no Bedrock form and is left out; pings send nothing.
 * A {@link StreamEvent.Failure} becomes an exception frame ({@link BedrockErrorFormat#streamEvent}).
 *
 * <p>Not thread-safe: one per stream.
 */
public final class BedrockStreamEncoder {
  private static final Buffer EMPTY = Buffer.buffer(0);

  private final LongSupplier latencyMs;
  private final Map<Integer, BlockKind> kinds = new HashMap<>();
  private final Set<Integer> withArguments = new HashSet<>();
  private Usage usage;
  private boolean started;
  private boolean stopped;

  /** Measures {@code metrics.latencyMs} from now. */
  public BedrockStreamEncoder() {
    long start = System.nanoTime();
    this.latencyMs = () -> (System.nanoTime() - start) / 1_000_000;
  }

  /** @param latencyMs gives {@code metrics.latencyMs} when the stream ends */
  public BedrockStreamEncoder(LongSupplier latencyMs) {
    this.latencyMs = latencyMs;
  }

  /** The frames for one event: none, one or (to supply a missing start or stop) several, concatenated. */
  public Buffer encode(StreamEvent event) {
    return switch (event) {
      case StreamEvent.MessageStart s -> start();
      case StreamEvent.BlockStart b -> {
        Buffer out = start();
        kinds.put(b.index(), b.kind());
        if (b.kind() == BlockKind.TOOL_CALL) {
          out = concat(out, frame("contentBlockStart", g -> {
            g.writeNumberProperty("contentBlockIndex", b.index());
            g.writeName("start");
            g.writeStartObject();
            g.writeName("toolUse");
            g.writeStartObject();
            g.writeStringProperty("toolUseId", Wire.idToClient(b.toolCallId() == null ? "" : b.toolCallId()));
            g.writeStringProperty("name", b.toolName() == null ? "" : b.toolName());
            g.writeEndObject();
            g.writeEndObject();
          }));
        }
        yield out;
      }
      case StreamEvent.TextDelta d -> delta(d.index(), g -> g.writeStringProperty("text", d.text()));
      case StreamEvent.ToolArgumentsDelta d -> {
        if (d.json() == null || d.json().isEmpty()) yield EMPTY;
        withArguments.add(d.index());
        yield toolInput(d.index(), d.json());
      }
      case StreamEvent.ReasoningDelta d -> reasoning(d.index(), "text", d.text());
      case StreamEvent.SignatureDelta d -> switch (kinds.getOrDefault(d.index(), BlockKind.REASONING)) {
        case REASONING -> reasoning(d.index(), "signature", d.signature());
        case REDACTED_REASONING -> reasoning(d.index(), "redactedContent", d.signature());
        default -> EMPTY;
      };
      case StreamEvent.BlockStop b -> {
        Buffer out = EMPTY;
        if (kinds.get(b.index()) == BlockKind.TOOL_CALL && !withArguments.contains(b.index())) {
          out = toolInput(b.index(), "{}");
        }
        yield concat(out, frame("contentBlockStop", g -> g.writeNumberProperty("contentBlockIndex", b.index())));
      }
      case StreamEvent.MessageDelta d -> {
        if (d.usage() != null) usage = d.usage();
        yield concat(start(), messageStop(d.stopReason(), d.stopSequence()));
      }
      case StreamEvent.MessageStop s -> {
        Buffer out = stopped ? EMPTY : concat(start(), messageStop(StopReason.END_TURN, null));
        yield concat(out, frame("metadata", g -> {
          Wire.writeUsage(g, usage);
          Wire.writeMetrics(g, latencyMs.getAsLong());
        }));
      }
      case StreamEvent.Ping p -> EMPTY;
      case StreamEvent.Failure f -> BedrockErrorFormat.INSTANCE.streamEvent(f.error());
    };
  }

  private Buffer start() {
    if (started) return EMPTY;
    started = true;
    return frame("messageStart", g -> g.writeStringProperty("role", "assistant"));
  }

  private Buffer messageStop(StopReason reason, String stopSequence) {
    stopped = true;
    return frame("messageStop", g -> {
      g.writeStringProperty("stopReason", Wire.stopReason(reason));
      if (reason == StopReason.STOP_SEQUENCE && stopSequence != null) {
        g.writeName("additionalModelResponseFields");
        g.writeStartObject();
        g.writeStringProperty("stop_sequence", stopSequence);
        g.writeEndObject();
      }
    });
  }

  private Buffer toolInput(int index, String json) {
    return delta(index, g -> {
      g.writeName("toolUse");
      g.writeStartObject();
      g.writeStringProperty("input", json);
      g.writeEndObject();
    });
  }

  private Buffer reasoning(int index, String field, String value) {
    return delta(index, g -> {
      g.writeName("reasoningContent");
      g.writeStartObject();
      g.writeStringProperty(field, value);
      g.writeEndObject();
    });
  }

  private Buffer delta(int index, Consumer<JsonGenerator> member) {
    return frame("contentBlockDelta", g -> {
      g.writeNumberProperty("contentBlockIndex", index);
      g.writeName("delta");
      g.writeStartObject();
      member.accept(g);
      g.writeEndObject();
    });
  }

  /** One event frame whose JSON payload is an object with the given fields. */
  static Buffer frame(String eventType, Consumer<JsonGenerator> fields) {
    byte[] json = ExactJson.bytes(g -> {
      g.writeStartObject();
      fields.accept(g);
      g.writeEndObject();
    });
    return EventStreamEncoder.encode(EventStreamMessage.event(eventType, json));
  }

  private static Buffer concat(Buffer a, Buffer b) {
    if (a.length() == 0) return b;
    if (b.length() == 0) return a;
    return Buffer.buffer(a.length() + b.length()).appendBuffer(a).appendBuffer(b);
  }
}
