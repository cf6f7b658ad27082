package dev.switchboard.codec.gemini;

import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.stream.SseEvents;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A Gemini {@code streamGenerateContent?alt=sse} stream (in pieces of any size) → canonical
 * {@link StreamEvent}s. Each SSE {@code data:} line is a whole {@code GenerateContentResponse} carrying only
 * the new content; there is no end marker — the stream just ends, so {@link #end()} completes the answer
 * with the stop reason and the usage of the last chunk that carried {@code usageMetadata}.
 *
 * <p>Consecutive text parts form one TEXT block (thought parts one REASONING block); each function call
 * is a TOOL_CALL block of its own with its whole arguments as one {@link StreamEvent.ToolArgumentsDelta}
 * and its thought signature, if any, as a {@link StreamEvent.SignatureDelta}. An error object in the stream
 * becomes a {@link StreamEvent.Failure}; a stream that ends without a {@code finishReason} is a 502
 * failure. Not thread-safe: one per stream.
 */
public final class GeminiStreamDecoder {
  private final SseEvents events = new SseEvents();
  private boolean started;
  private boolean finished;
  private boolean failed;
  private int nextIndex;
  private int openIndex = -1;
  private BlockKind openKind;
  private final int[] calls = {0};
  private String finishReason;
  private boolean sawFinish;
  private Usage usage = new Usage(0, 0, 0, 0, 0, true);

  /** Decodes the events completed by {@code piece}; returns them in order (often none). */
  public List<StreamEvent> next(Buffer piece) {
    List<StreamEvent> out = new ArrayList<>(4);
    if (finished || failed) return out;
    events.feed(piece, () -> !failed, text -> event(text, out));
    return out;
  }

  /**
   * The upstream's stream has ended: decodes a last event that lacks its blank line, then closes the open
   * block and sends MessageDelta and MessageStop — or a Failure when no {@code finishReason} came. Call once.
   */
  public List<StreamEvent> end() {
    List<StreamEvent> out = new ArrayList<>(4);
    if (finished || failed) return out;
    String text = events.rest();
    if (text != null) {
      event(text, out);
      if (failed) return out;
    }
    if (!sawFinish) {
      fail(out, GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The Gemini upstream broke off the response: "
          + "the stream ended before a finishReason. The output is incomplete; retry the request.",
          "upstream_truncated"));
      return out;
    }
    closeOpen(out);
    out.add(new StreamEvent.MessageDelta(GeminiCodec.stopReason(finishReason, calls[0] > 0), null, usage));
    out.add(new StreamEvent.MessageStop());
    finished = true;
    return out;
  }

  /** One whole SSE event: its {@code data:} lines joined; other fields and comments ignored. */
  private void event(String text, List<StreamEvent> out) {
    StringBuilder data = null;
    for (String line : text.split("\r\n|\r|\n")) {
      if (line.startsWith("data:")) {
        String v = line.substring(5);
        if (v.startsWith(" ")) v = v.substring(1);
        if (data == null) data = new StringBuilder(v);
        else data.append('\n').append(v);
      }
    }
    if (data == null || data.isEmpty()) return;
    JsonNode chunk;
    try {
      chunk = GeminiCodec.parse(Buffer.buffer(data.toString()));
    } catch (RejectedException e) {
      fail(out, e.error());
      return;
    }
    chunk(chunk, out);
  }

  private void chunk(JsonNode chunk, List<StreamEvent> out) {
    JsonNode error = chunk.path("error");
    if (error.isObject()) {
      fail(out, GeminiCodec.error(-1, error));
      return;
    }
    if (!started) {
      started = true;
      out.add(new StreamEvent.MessageStart(chunk.path("responseId").asString("gemini"),
          chunk.path("modelVersion").asString(null), null));
    }
    JsonNode candidate = chunk.path("candidates").path(0);
    for (JsonNode p : candidate.path("content").path("parts")) {
      Part part = GeminiCodec.part(p, calls);
      switch (part) {
        case null -> {}
        case Part.Text t -> {
          if (t.text().isEmpty()) continue;
          open(BlockKind.TEXT, out);
          out.add(new StreamEvent.TextDelta(openIndex, t.text()));
        }
        case Part.Reasoning r -> {
          open(BlockKind.REASONING, out);
          if (!r.text().isEmpty()) out.add(new StreamEvent.ReasoningDelta(openIndex, r.text()));
          if (r.signature() != null) out.add(new StreamEvent.SignatureDelta(openIndex, r.signature()));
        }
        case Part.ToolCall c -> {
          closeOpen(out);
          int index = nextIndex++;
          out.add(new StreamEvent.BlockStart(index, BlockKind.TOOL_CALL, c.id(), c.name()));
          if (c.signature() != null) out.add(new StreamEvent.SignatureDelta(index, c.signature()));
          out.add(new StreamEvent.ToolArgumentsDelta(index, c.arguments()));
          out.add(new StreamEvent.BlockStop(index));
        }
        default -> {} // inline images: no place in a canonical stream
      }
    }
    if (candidate.path("finishReason").isString()) {
      sawFinish = true;
      finishReason = candidate.path("finishReason").asString();
    } else if (candidate.isMissingNode() && chunk.path("promptFeedback").has("blockReason")) {
      sawFinish = true;
      finishReason = "SAFETY";
    }
    if (chunk.path("usageMetadata").isObject()) usage = GeminiCodec.usage(chunk.path("usageMetadata"));
  }

  private void open(BlockKind kind, List<StreamEvent> out) {
    if (openIndex >= 0 && openKind == kind) return;
    closeOpen(out);
    openIndex = nextIndex++;
    openKind = kind;
    out.add(new StreamEvent.BlockStart(openIndex, kind, null, null));
  }

  private void closeOpen(List<StreamEvent> out) {
    if (openIndex < 0) return;
    out.add(new StreamEvent.BlockStop(openIndex));
    openIndex = -1;
    openKind = null;
  }

  private void fail(List<StreamEvent> out, GatewayError error) {
    failed = true;
    out.add(new StreamEvent.Failure(error));
  }

  /** The stop reason so far (for tests and logs). */
  StopReason stopReason() {
    return GeminiCodec.stopReason(finishReason, calls[0] > 0);
  }
}
