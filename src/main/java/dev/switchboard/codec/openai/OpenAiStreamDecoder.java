package dev.switchboard.codec.openai;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.ByteArrays;
import dev.switchboard.stream.SseSplitter;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads an OpenAI-compatible upstream's chat stream (server-sent events of {@code chat.completion.chunk}s)
 * into canonical {@link StreamEvent}s, fed the bytes in whatever pieces they arrive.
 *
 * <p>The events come out well formed: {@link StreamEvent.MessageStart} with the first chunk; blocks numbered
 * from 0, each started, given its deltas and stopped, never overlapping (see {@link BlockSequencer} for how
 * interleaved parallel tool calls are kept apart); then {@link StreamEvent.MessageDelta} with the stop reason
 * and the usage of the usage chunk, and {@link StreamEvent.MessageStop}, both at {@code data: [DONE]}. An
 * upstream error event, or anything that cannot be read, ends the stream with one {@link StreamEvent.Failure}
 * instead. Nothing is emitted after the end; later input is ignored.
 *
 * <p>Only the first choice ({@code index} 0) is followed: the canonical stream carries one answer.
 * When the upstream sent no usage, the final usage is estimated from the streamed characters and flagged.
 *
 * <p>Not thread-safe: one instance per stream, fed from that stream's event loop.
 */
public final class OpenAiStreamDecoder {
  private static final byte[] DONE = ByteArrays.ascii("[DONE]");
  private static final byte[] DATA = ByteArrays.ascii("data:");

  private final long estimatedInputTokens;
  private final SseSplitter splitter = new SseSplitter();
  private final BlockSequencer blocks = new BlockSequencer(this::emit);
  /** Bytes of the unfinished event; {@code [0, length)} are valid, all scanned already. */
  private byte[] carry = new byte[0];
  private int carryLength;
  private List<StreamEvent> out;

  private boolean started;
  private boolean finished;
  private boolean sawDone;
  private boolean ended;
  private String finishReason;
  private boolean refusal;
  private Usage usage;
  private long chars;

  /**
   * @param estimatedInputTokens the caller's estimate of the prompt's tokens, used only if the upstream
   *     reports no usage (then the usage is flagged {@code estimated}); 0 when unknown
   */
  public OpenAiStreamDecoder(long estimatedInputTokens) {
    this.estimatedInputTokens = Math.max(0, estimatedInputTokens);
  }

  /**
   * Feeds the next piece of the upstream's body; returns the events it completes, in order (often none,
   * never null). The piece is not retained.
   */
  public List<StreamEvent> decode(Buffer piece) {
    out = new ArrayList<>(4);
    if (ended || piece.length() == 0) return out;
    ByteArrays.View view = ByteArrays.view(piece);
    byte[] a = view.array();
    int from = view.offset();
    int to = from + piece.length();
    int eventStart = from;
    for (int boundary; !ended && (boundary = splitter.nextBoundary(a, from, to)) >= 0; from = boundary) {
      if (carryLength > 0) {
        append(a, eventStart, boundary);
        event(carry, 0, carryLength);
        carryLength = 0;
      } else {
        event(a, eventStart, boundary);
      }
      eventStart = boundary;
    }
    if (!ended) append(a, eventStart, to);
    return out;
  }

  /**
   * The upstream's body ended. Returns the closing events: none after {@code [DONE]} or a failure; the normal
   * end when the choice had finished (a {@code finish_reason} arrived) and only {@code [DONE]} was missing;
   * otherwise a {@link StreamEvent.Failure}, as the answer is cut off.
   */
  public List<StreamEvent> end() {
    out = new ArrayList<>(4);
    if (ended) return out;
    if (carryLength > 0) {
      // An unterminated last event: SSE clients drop it (PROTOCOLS.md 0.5); so does this decoder, unless it
      // is the [DONE] that a sloppy server did not terminate.
      byte[] last = Arrays.copyOf(carry, carryLength);
      carryLength = 0;
      if (isDoneEvent(last)) {
        event(last, 0, last.length);
        return out;
      }
    }
    if (finished) {
      complete();
    } else {
      fail(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The upstream's stream ended before the answer was "
          + "complete (no finish_reason and no [DONE]); the output is incomplete, retry the request.",
          "upstream_truncated"));
    }
    return out;
  }

  /** True once {@code data: [DONE]} arrived: the upstream completed the stream. */
  public boolean sawDone() {
    return sawDone;
  }

  private void emit(StreamEvent e) {
    out.add(e);
  }

  private void append(byte[] a, int from, int to) {
    int n = to - from;
    if (n <= 0) return;
    if (carryLength + n > carry.length) carry = Arrays.copyOf(carry, Math.max(carryLength + n, carry.length * 2));
    System.arraycopy(a, from, carry, carryLength, n);
    carryLength += n;
  }

  // ---------------------------------------------------------------- one event

  /** Handles the complete event {@code a[from, to)} (including its terminating blank line). */
  private void event(byte[] a, int from, int to) {
    byte[] data = null;
    int dataFrom = 0;
    int dataTo = 0;
    boolean errorEvent = false;
    int i = from;
    while (i < to) {
      int lineEnd = ByteArrays.nextLineBreak(a, i, to);
      if (lineEnd > i && a[i] != ':') { // not blank, not a comment
        int colon = i;
        while (colon < lineEnd && a[colon] != ':') colon++;
        int value = Math.min(colon + 1, lineEnd);
        if (value < lineEnd && a[value] == ' ') value++;
        if (isField(a, i, colon, "data")) {
          if (data == null) {
            data = a;
            dataFrom = value;
            dataTo = lineEnd;
          } else { // several data lines: joined with LF, as every SSE client does
            byte[] joined = Arrays.copyOfRange(data, dataFrom, dataTo + 1 + lineEnd - value);
            joined[dataTo - dataFrom] = '\n';
            System.arraycopy(a, value, joined, dataTo - dataFrom + 1, lineEnd - value);
            data = joined;
            dataFrom = 0;
            dataTo = joined.length;
          }
        } else if (isField(a, i, colon, "event")) {
          errorEvent = lineEnd - value == 5 && isField(a, value, lineEnd, "error");
        }
      }
      i = lineEnd < to && a[lineEnd] == '\r' && lineEnd + 1 < to && a[lineEnd + 1] == '\n' ? lineEnd + 2 : lineEnd + 1;
    }
    if (data == null) return; // a comment or keep-alive
    if (ByteArrays.startsWith(data, dataFrom, dataTo, DONE)) {
      sawDone = true;
      complete();
      return;
    }
    JsonNode chunk;
    try {
      chunk = Json.MAPPER.readTree(data, dataFrom, dataTo - dataFrom);
    } catch (JacksonException e) {
      fail(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The upstream sent a stream event that is not JSON ("
          + e.getOriginalMessage() + "); the output is incomplete.", "upstream_invalid_stream"));
      return;
    }
    if (!chunk.isObject()) {
      fail(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The upstream sent a stream event that is not a JSON "
          + "object; the output is incomplete.", "upstream_invalid_stream"));
      return;
    }
    JsonNode error = chunk.get("error");
    if (errorEvent || (error != null && !error.isNull())) {
      fail(ResponseDecoder.upstreamError(error != null && !error.isNull() ? error : chunk));
      return;
    }
    try {
      chunk(chunk);
    } catch (BlockSequencer.LateFragment e) {
      fail(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The upstream's stream is malformed: " + e.getMessage()
          + ".", "upstream_invalid_stream"));
    }
  }

  private static boolean isField(byte[] a, int from, int to, String name) {
    if (to - from != name.length()) return false;
    for (int k = 0; k < name.length(); k++) {
      if (a[from + k] != name.charAt(k)) return false;
    }
    return true;
  }

  private static boolean isDoneEvent(byte[] event) {
    int d = ByteArrays.indexOf(event, 0, event.length, DATA);
    if (d < 0) return false;
    int v = d + 5;
    if (v < event.length && event[v] == ' ') v++;
    return ByteArrays.startsWith(event, v, event.length, DONE);
  }

  private void chunk(JsonNode chunk) {
    if (!started) {
      started = true;
      String id = chunk.path("id").isString() ? chunk.get("id").asString() : Ids.completion();
      emit(new StreamEvent.MessageStart(id, chunk.path("model").asString(null), null));
    }
    Usage u = UsageJson.read(chunk.get("usage"));
    if (u != null) usage = u; // the usage chunk, or servers that report running usage on every chunk
    JsonNode choices = chunk.get("choices");
    if (choices == null || !choices.isArray()) return;
    for (JsonNode choice : choices) {
      if (choice.path("index").asInt(0) != 0) continue;
      JsonNode delta = choice.get("delta");
      if (delta != null && delta.isObject()) delta(delta);
      JsonNode finish = choice.get("finish_reason");
      if (finish != null && finish.isString()) {
        finishReason = finish.asString();
        finished = true;
        blocks.closeAll();
      }
    }
  }

  private void delta(JsonNode delta) {
    String reasoning = ResponseDecoder.reasoning(delta);
    if (reasoning != null && !reasoning.isEmpty()) {
      chars += reasoning.length();
      blocks.reasoning(reasoning);
    }
    JsonNode content = delta.get("content");
    if (content != null && content.isString() && !content.asString().isEmpty()) {
      chars += content.asString().length();
      blocks.text(content.asString());
    }
    JsonNode refusalNode = delta.get("refusal");
    if (refusalNode != null && refusalNode.isString() && !refusalNode.asString().isEmpty()) {
      refusal = true;
      chars += refusalNode.asString().length();
      blocks.text(refusalNode.asString());
    }
    JsonNode calls = delta.get("tool_calls");
    if (calls == null || !calls.isArray()) return;
    for (int j = 0; j < calls.size(); j++) {
      JsonNode call = calls.get(j);
      int index = call.path("index").isIntegralNumber() ? call.get("index").asInt() : j;
      JsonNode function = call.path("function");
      String arguments = function.path("arguments").asString(null);
      if (arguments != null) chars += arguments.length();
      blocks.tool(index, call.path("id").asString(null), function.path("name").asString(null), arguments);
    }
  }

  // ---------------------------------------------------------------- the end

  private void complete() {
    if (!started) {
      started = true;
      emit(new StreamEvent.MessageStart(Ids.completion(), null, null));
    }
    blocks.closeAll();
    StopReason stop = FinishReasons.decode(finishReason, blocks.sawToolCall(), refusal);
    Usage u = usage != null ? usage
        : new Usage(estimatedInputTokens, Estimates.tokens(chars), 0, 0, 0, true);
    emit(new StreamEvent.MessageDelta(stop, null, u));
    emit(new StreamEvent.MessageStop());
    ended = true;
  }

  private void fail(GatewayError error) {
    emit(new StreamEvent.Failure(error));
    ended = true;
  }
}
