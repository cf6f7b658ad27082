package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.eventstream.EventStreamDecoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A Bedrock upstream's ConverseStream body (event-stream frames, in pieces of any size) → canonical
 * {@link StreamEvent}s.
 *
 * <p>Bedrock starts only tool-use blocks explicitly; a text or reasoning block is started by its first delta
 * (and a block that only stops is started and stopped). Upstream block indexes are renumbered 0, 1, 2, … in the
 * order blocks start. {@code messageStop} is held until {@code metadata} brings the usage, then becomes
 * {@link StreamEvent.MessageDelta} (with the usage) and {@link StreamEvent.MessageStop}; a stream that ends after
 * {@code messageStop} without {@code metadata} ends the same way with the usage unknown (null). Exception frames
 * become a {@link StreamEvent.Failure} by type ({@code throttlingException} 429, {@code serviceUnavailableException}
 * 503, {@code validationException} 400, {@code internalServerException} 500, {@code modelStreamErrorException}
 * 424); a corrupt frame, unreadable JSON or a stream cut off early becomes a 502 failure. After the end or a
 * failure, further input is ignored.
 *
 * <p>Not thread-safe: one per stream, used from that stream's event loop.
 */
public final class BedrockStreamDecoder {
  private final EventStreamDecoder frames = new EventStreamDecoder(this::message);
  private final Map<Long, Integer> indexes = new HashMap<>();
  private final Map<Integer, BlockKind> kinds = new HashMap<>();
  private List<StreamEvent> out;
  private int nextIndex;
  private boolean started;
  private StopReason stopReason;
  private String stopSequence;
  private Usage usage;
  private boolean complete;
  private boolean failed;

  /** Decodes the events completed by {@code piece}; returns them in order (often none). */
  public List<StreamEvent> next(Buffer piece) {
    List<StreamEvent> events = new ArrayList<>(4);
    if (complete || failed) return events;
    out = events;
    try {
      frames.feed(piece);
    } catch (EventStreamDecoder.MalformedFrameException e) {
      fail(e.getMessage());
    } finally {
      out = null;
    }
    return events;
  }

  /**
   * The upstream's body has ended: a stream held at {@code messageStop} completes without usage; one that ended
   * earlier (or inside a frame) is a 502 failure. Call once.
   */
  public List<StreamEvent> end() {
    List<StreamEvent> events = new ArrayList<>(2);
    if (complete || failed) return events;
    out = events;
    if (stopReason != null && !frames.hasPartial()) finish();
    else fail("the stream ended before its " + (stopReason == null ? "messageStop" : "metadata") + " event");
    out = null;
    return events;
  }

  /** True once the answer is complete ({@code metadata} after {@code messageStop}, or the end after it). */
  public boolean complete() {
    return complete;
  }

  /** The usage reported by {@code metadata}, or null before it. */
  public Usage usage() {
    return usage;
  }

  private void message(EventStreamMessage m) {
    if (complete || failed) return;
    String type = m.stringHeader(EventStreamMessage.MESSAGE_TYPE);
    if ("exception".equals(type)) {
      String code = m.stringHeader(EventStreamMessage.EXCEPTION_TYPE);
      String message = null;
      JsonNode json = json(m);
      if (json != null) message = json.path("message").asString(json.path("Message").asString(null));
      else if (failed) return;
      failed = true;
      out.add(new StreamEvent.Failure(Wire.error(-1, code, message)));
      return;
    }
    if ("error".equals(type)) {
      failed = true;
      String code = m.stringHeader(EventStreamMessage.ERROR_CODE);
      out.add(new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
          "The upstream's stream failed: " + code + ": " + m.stringHeader(EventStreamMessage.ERROR_MESSAGE),
          code)));
      return;
    }
    if (!"event".equals(type)) return;
    JsonNode json = json(m);
    if (json == null) return;
    String event = m.stringHeader(EventStreamMessage.EVENT_TYPE);
    switch (event == null ? "" : event) {
      case "messageStart" -> start();
      case "contentBlockStart" -> {
        JsonNode tool = json.path("start").path("toolUse");
        if (tool.isObject()) {
          open(json, BlockKind.TOOL_CALL, Wire.idFromWire(tool.path("toolUseId").asString("")),
              tool.path("name").asString(""));
        }
      }
      case "contentBlockDelta" -> delta(json);
      case "contentBlockStop" -> {
        int index = index(json);
        if (index < 0) index = open(json, BlockKind.TEXT, null, null);
        out.add(new StreamEvent.BlockStop(index));
      }
      case "messageStop" -> {
        start();
        stopReason = Wire.stopReason(json.path("stopReason").asString(null));
        stopSequence = stopReason == StopReason.STOP_SEQUENCE
            ? json.path("additionalModelResponseFields").path("stop_sequence").asString(null) : null;
      }
      case "metadata" -> {
        JsonNode u = json.get("usage");
        if (u != null && u.isObject()) usage = Wire.usage(u);
        if (stopReason != null) finish();
      }
      default -> { } // unknown events are skipped, as the SDKs do
    }
  }

  private void delta(JsonNode json) {
    JsonNode d = json.path("delta");
    if (d.has("text")) {
      out.add(new StreamEvent.TextDelta(indexOrOpen(json, BlockKind.TEXT), d.path("text").asString("")));
    } else if (d.path("toolUse").isObject()) {
      String input = d.path("toolUse").path("input").asString("");
      int index = indexOrOpen(json, BlockKind.TOOL_CALL);
      if (!input.isEmpty()) out.add(new StreamEvent.ToolArgumentsDelta(index, input));
    } else if (d.path("reasoningContent").isObject()) {
      JsonNode r = d.path("reasoningContent");
      if (r.path("text").isString()) {
        out.add(new StreamEvent.ReasoningDelta(indexOrOpen(json, BlockKind.REASONING), r.path("text").stringValue()));
      } else if (r.path("signature").isString()) {
        out.add(new StreamEvent.SignatureDelta(indexOrOpen(json, BlockKind.REASONING),
            r.path("signature").stringValue()));
      } else if (r.path("redactedContent").isString()) {
        out.add(new StreamEvent.SignatureDelta(indexOrOpen(json, BlockKind.REDACTED_REASONING),
            r.path("redactedContent").stringValue()));
      }
    }
    // citation and other newer deltas: nothing canonical to say
  }

  private void start() {
    if (started) return;
    started = true;
    out.add(new StreamEvent.MessageStart(null, null, null));
  }

  private int index(JsonNode json) {
    Integer i = indexes.get(json.path("contentBlockIndex").asLong(-1));
    return i == null ? -1 : i;
  }

  private int indexOrOpen(JsonNode json, BlockKind kind) {
    int i = index(json);
    return i >= 0 ? i : open(json, kind, kind == BlockKind.TOOL_CALL ? "" : null, kind == BlockKind.TOOL_CALL ? "" : null);
  }

  private int open(JsonNode json, BlockKind kind, String id, String name) {
    start();
    int index = nextIndex++;
    indexes.put(json.path("contentBlockIndex").asLong(-1), index);
    kinds.put(index, kind);
    out.add(new StreamEvent.BlockStart(index, kind, id, name));
    return index;
  }

  private void finish() {
    out.add(new StreamEvent.MessageDelta(stopReason, stopSequence, usage));
    out.add(new StreamEvent.MessageStop());
    complete = true;
  }

  private JsonNode json(EventStreamMessage m) {
    if (m.payloadLength() == 0) return ExactJson.MAPPER.createObjectNode();
    try {
      JsonNode n = ExactJson.MAPPER.readTree(m.payloadBytes());
      if (n.isObject()) return n;
      fail("a frame's payload is not a JSON object");
    } catch (JacksonException e) {
      fail("a frame's payload is not JSON (" + e.getOriginalMessage() + ")");
    }
    return null;
  }

  private void fail(String what) {
    if (failed) return;
    failed = true;
    out.add(new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's stream could not be read as a Bedrock ConverseStream: " + what + ".", "bad_upstream_stream")));
  }
}
