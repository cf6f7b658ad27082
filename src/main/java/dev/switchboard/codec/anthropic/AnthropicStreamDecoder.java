package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.SseEvents;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An Anthropic upstream's Messages stream (server-sent events, in pieces of any size) → canonical
 * {@link StreamEvent}s.
 *
 * <p>Only whole events are decoded: bytes of an unfinished event wait in the decoder (so a UTF-8
 * character or a JSON value split across pieces is never seen half). Usage is kept the way the SDKs
 * accumulate it: {@code message_start} gives the input counts, each {@code message_delta} overwrites the
 * counts it carries (they are cumulative), and every {@link StreamEvent.MessageDelta} has the merged total
 * in the canonical convention (input includes cache reads and writes).
 *
 * <p>Content blocks the canonical model cannot carry (server-tool blocks) are skipped and the following
 * blocks renumbered, so canonical indexes stay 0, 1, 2, … A {@code redacted_thinking} block's data, which
 * Anthropic sends whole in its start event, is passed as a {@link StreamEvent.SignatureDelta} on the
 * REDACTED_REASONING block (the canonical stream has no other place for it). An {@code event: error}
 * becomes a {@link StreamEvent.Failure} whose status follows the error type ({@code overloaded_error} →
 * 529, {@code rate_limit_error} → 429, …); input that is not an Anthropic stream becomes a 502 failure.
 * After {@code message_stop} or a failure, further input is ignored.
 *
 * <p>Not thread-safe: one per stream, used from that stream's event loop.
 */
public final class AnthropicStreamDecoder {
  private final SseEvents events = new SseEvents();
  private Wire.Counts counts = Wire.Counts.ZERO;
  /** Upstream block index → canonical index, or -1 for a skipped block. */
  private final Map<Long, Integer> indexes = new HashMap<>();
  private int nextIndex;
  private boolean stopped;
  private boolean failed;

  /** Decodes the events completed by {@code piece}; returns them in order (often none). */
  public List<StreamEvent> next(Buffer piece) {
    List<StreamEvent> out = new ArrayList<>(4);
    if (stopped || failed) return out;
    events.feed(piece, () -> !stopped && !failed, text -> event(text, out));
    return out;
  }

  /**
   * The upstream's stream has ended: decodes a last event that lacks its blank line, and reports a
   * stream that ended before {@code message_stop} as a 502 failure. Call once.
   */
  public List<StreamEvent> end() {
    List<StreamEvent> out = new ArrayList<>(2);
    String text = events.rest();
    if (!stopped && !failed && text != null) {
      event(text, out);
    }
    if (!stopped && !failed) {
      fail(out, "the stream ended before its message_stop event");
    }
    return out;
  }

  /** True once {@code message_stop} has been decoded: the answer is complete. */
  public boolean complete() {
    return stopped;
  }

  /** The usage so far, in the canonical convention (input includes cache reads and writes). */
  public Usage usage() {
    return counts.canonical();
  }

  /** One whole event: its {@code event:} and {@code data:} lines (LF, CRLF or CR), comments ignored. */
  private void event(String text, List<StreamEvent> out) {
    String name = null;
    StringBuilder data = null;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int end = i;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
      String line = text.substring(i, end);
      i = end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n' ? end + 2 : end + 1;
      if (line.isEmpty() || line.charAt(0) == ':') continue;
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        if (data == null) data = new StringBuilder(value);
        else data.append('\n').append(value);
      }
    }
    if (data == null || data.isEmpty()) return;
    JsonNode json;
    try {
      json = ExactJson.MAPPER.readTree(data.toString());
    } catch (JacksonException e) {
      fail(out, "an event's data is not JSON (" + e.getOriginalMessage() + ")");
      return;
    }
    if (!json.isObject()) {
      fail(out, "an event's data is not a JSON object");
      return;
    }
    // Anthropic always names its events; the data's "type" is the same name and stands in when a line is missing.
    if (name == null || name.isEmpty()) name = json.path("type").asString("");
    dispatch(name, json, out);
  }

  private void dispatch(String name, JsonNode json, List<StreamEvent> out) {
    switch (name) {
      case "message_start" -> {
        JsonNode message = json.path("message");
        JsonNode u = message.get("usage");
        counts = counts.merge(u);
        out.add(new StreamEvent.MessageStart(message.path("id").asString(null), message.path("model").asString(null),
            u != null && u.isObject() ? counts.canonical() : null));
      }
      case "content_block_start" -> blockStart(json.path("index").asLong(-1), json.path("content_block"), out);
      case "content_block_delta" -> {
        int index = index(json);
        if (index < 0) return;
        JsonNode delta = json.path("delta");
        switch (delta.path("type").asString("")) {
          case "text_delta" -> out.add(new StreamEvent.TextDelta(index, delta.path("text").asString("")));
          case "input_json_delta" -> {
            String partial = delta.path("partial_json").asString("");
            if (!partial.isEmpty()) out.add(new StreamEvent.ToolArgumentsDelta(index, partial));
          }
          case "thinking_delta" -> out.add(new StreamEvent.ReasoningDelta(index, delta.path("thinking").asString("")));
          case "signature_delta" -> out.add(new StreamEvent.SignatureDelta(index, delta.path("signature").asString("")));
          default -> { } // citations_delta and deltas newer than this code: nothing canonical to say
        }
      }
      case "content_block_stop" -> {
        int index = index(json);
        if (index >= 0) out.add(new StreamEvent.BlockStop(index));
      }
      case "message_delta" -> {
        counts = counts.merge(json.get("usage"));
        JsonNode delta = json.path("delta");
        out.add(new StreamEvent.MessageDelta(Wire.stopReason(delta.path("stop_reason").asString(null)),
            delta.path("stop_sequence").asString(null), counts.canonical()));
      }
      case "message_stop" -> {
        out.add(new StreamEvent.MessageStop());
        stopped = true;
      }
      case "ping" -> out.add(new StreamEvent.Ping());
      case "error" -> {
        JsonNode err = json.path("error");
        out.add(new StreamEvent.Failure(Wire.error(-1, err.path("type").asString(null),
            err.path("message").asString(null))));
        failed = true;
      }
      default -> { } // newer event types: ignored, as the SDKs do
    }
  }

  private void blockStart(long upstream, JsonNode block, List<StreamEvent> out) {
    String type = block.path("type").asString("");
    BlockKind kind = switch (type) {
      case "text" -> BlockKind.TEXT;
      case "tool_use" -> BlockKind.TOOL_CALL;
      case "thinking" -> BlockKind.REASONING;
      case "redacted_thinking" -> BlockKind.REDACTED_REASONING;
      default -> null;
    };
    if (kind == null) {
      indexes.put(upstream, -1);
      return;
    }
    int index = nextIndex++;
    indexes.put(upstream, index);
    switch (kind) {
      case TEXT -> {
        out.add(new StreamEvent.BlockStart(index, kind, null, null));
        String text = block.path("text").asString("");
        if (!text.isEmpty()) out.add(new StreamEvent.TextDelta(index, text));
      }
      case TOOL_CALL -> {
        out.add(new StreamEvent.BlockStart(index, kind, ToolIds.fromWire(block.path("id").asString("")),
            block.path("name").asString("")));
        // Anthropic starts with "input": {} and streams the input as deltas; a block sent whole has it here.
        JsonNode input = block.get("input");
        if (input != null && input.isObject() && !input.isEmpty()) {
          out.add(new StreamEvent.ToolArgumentsDelta(index, ExactJson.text(input)));
        }
      }
      case REASONING -> {
        out.add(new StreamEvent.BlockStart(index, kind, null, null));
        String thinking = block.path("thinking").asString("");
        if (!thinking.isEmpty()) out.add(new StreamEvent.ReasoningDelta(index, thinking));
        String signature = block.path("signature").asString("");
        if (!signature.isEmpty()) out.add(new StreamEvent.SignatureDelta(index, signature));
      }
      case REDACTED_REASONING -> {
        out.add(new StreamEvent.BlockStart(index, kind, null, null));
        out.add(new StreamEvent.SignatureDelta(index, block.path("data").asString("")));
      }
    }
  }

  /** The canonical index of an event's block; -1 for a skipped or unknown block. */
  private int index(JsonNode json) {
    Integer index = indexes.get(json.path("index").asLong(-1));
    return index == null ? -1 : index;
  }

  private void fail(List<StreamEvent> out, String what) {
    failed = true;
    out.add(new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's stream could not be read as an Anthropic stream: " + what + ".", "bad_upstream_stream")));
  }
}
