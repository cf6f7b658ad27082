package dev.switchboard.provider.openai;

import dev.switchboard.canonical.Usage;
import dev.switchboard.stream.ByteArrays;
import dev.switchboard.stream.SseSplitter;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Scans an OpenAI chat stream as it is relayed: notes {@code data: [DONE]}, upstream error events and the
 * usage chunk, and drops the usage chunk when the client did not ask for it (the gateway asks for it on
 * the client's behalf, to meter the stream).
 *
 * <p>Only complete events leave the filter; a partial event waits for its end. Runs of kept events are
 * returned as slices of the received buffer, so the common chunk passes through without a copy.
 * Not thread-safe: one per stream.
 */
final class OpenAiStreamFilter {
  private static final byte[] DATA = ByteArrays.ascii("data:");
  private static final byte[] DONE = ByteArrays.ascii("[DONE]");
  private static final byte[] ERROR_KEY = ByteArrays.ascii("\"error\"");
  private static final byte[] USAGE_KEY = ByteArrays.ascii("\"usage\":");

  private final boolean clientWantsUsage;
  private final SseSplitter splitter = new SseSplitter();
  private Buffer carry;
  private boolean skipLf;
  private boolean sawDone;
  private boolean sawError;
  private Usage usage;
  /** Chunks (data events with a JSON object) since the last {@link #takeChunks}. */
  private int chunks;

  OpenAiStreamFilter(boolean clientWantsUsage) {
    this.clientWantsUsage = clientWantsUsage;
  }

  /** Feeds the next received piece; returns the bytes to send to the client now, or null for none. */
  Buffer next(Buffer chunk) {
    Buffer buf;
    int scanFrom;
    if (carry != null) {
      scanFrom = carry.length();
      buf = Buffer.buffer(carry.length() + chunk.length()).appendBuffer(carry).appendBuffer(chunk);
      carry = null;
    } else {
      scanFrom = 0;
      buf = chunk;
    }
    ByteArrays.View view = ByteArrays.view(buf);
    byte[] a = view.array();
    int base = view.offset();
    int length = buf.length();
    // Indexes below are relative to buf; add base to reach the array.
    int runStart = 0;
    int eventStart = 0;
    if (skipLf && length > 0 && a[base] == '\n') {
      runStart = 1; // the LF of a dropped event's CRLF, split across pieces
      eventStart = 1;
    }
    skipLf = false;
    Buffer out = null;
    int scan = base + scanFrom;
    for (int boundary; (boundary = splitter.nextBoundary(a, scan, base + length)) >= 0; scan = boundary) {
      int end = boundary - base;
      if (!keep(a, base + eventStart, base + end)) {
        // A leading LF completes the previous event's CRLF (split across pieces): it stays.
        int dropFrom = a[base + eventStart] == '\n' ? eventStart + 1 : eventStart;
        out = append(out, buf, runStart, dropFrom);
        runStart = end;
        skipLf = end == length && a[base + end - 1] == '\r';
      }
      eventStart = end;
    }
    out = append(out, buf, runStart, eventStart);
    if (eventStart < length) carry = buf.getBuffer(eventStart, length);
    return out;
  }

  /**
   * What is held back at the end of the stream: a trailing byte of a line break split across pieces, or
   * an unterminated event. Returns null when nothing is held.
   */
  Buffer rest() {
    Buffer r = carry;
    carry = null;
    return r;
  }

  /** True once {@code data: [DONE]} went through: the stream is complete. */
  boolean sawDone() {
    return sawDone;
  }

  /** True once the upstream sent an error event: the client has been told, the stream may end. */
  boolean sawError() {
    return sawError;
  }

  /**
   * The chunks that went by since the last call: how an aborted stream's output is estimated (servers stream about
   * one token a chunk), counted without reading them any further.
   */
  int takeChunks() {
    int n = chunks;
    chunks = 0;
    return n;
  }

  /** The usage the upstream reported, or null so far. */
  Usage usage() {
    return usage;
  }

  /** Reads one event, {@code a[from, to)}; returns false for the usage chunk the client did not ask for. */
  private boolean keep(byte[] a, int from, int to) {
    int d = ByteArrays.indexOf(a, from, to, DATA);
    if (d < 0) return true;
    int p = d + DATA.length;
    if (p < to && a[p] == ' ') p++;
    if (ByteArrays.startsWith(a, p, to, DONE)) {
      sawDone = true;
      return true;
    }
    if (p >= to || a[p] != '{') return true;
    if (ByteArrays.startsWith(a, ByteArrays.skipSpace(a, p + 1, to), to, ERROR_KEY)) {
      sawError = true;
      return true;
    }
    chunks++;
    // Usage is the last field of an OpenAI chunk ("usage":null on every chunk once it is asked for), so
    // looking from the end finds it at once. The bytes "usage": cannot occur inside a JSON string.
    int u = ByteArrays.lastIndexOf(a, p, to, USAGE_KEY);
    if (u < 0) return true;
    int v = ByteArrays.skipSpace(a, u + USAGE_KEY.length, to);
    if (v >= to || a[v] != '{') return true;
    int lineEnd = p;
    while (lineEnd < to && a[lineEnd] != '\n' && a[lineEnd] != '\r') lineEnd++;
    OpenAiUsage.Found found = OpenAiUsage.read(a, p, lineEnd);
    if (found == null) return true;
    usage = found.usage();
    return clientWantsUsage || !found.emptyChoices();
  }

  /**
   * {@code out} followed by {@code buf[from, to)}. The second run (after a dropped event) is joined without
   * a copy: both are wrapped in one composite buffer, which the socket writes with one gathering write.
   */
  private static Buffer append(Buffer out, Buffer buf, int from, int to) {
    if (from >= to) return out;
    Buffer run = buf.slice(from, to);
    if (out == null) return run;
    return BufferInternal.buffer(Unpooled.wrappedBuffer(((BufferInternal) out).getByteBuf(),
        ((BufferInternal) run).getByteBuf()));
  }
}
