package dev.switchboard.provider.openai;

import dev.switchboard.canonical.Usage;
import dev.switchboard.stream.Bytes;
import dev.switchboard.stream.SseSplitter;
import io.vertx.core.buffer.Buffer;

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
  private static final byte[] DATA = Bytes.ascii("data:");
  private static final byte[] DONE = Bytes.ascii("[DONE]");
  private static final byte[] ERROR_KEY = Bytes.ascii("\"error\"");
  private static final byte[] USAGE_KEY = Bytes.ascii("\"usage\":");

  private final boolean clientWantsUsage;
  private final SseSplitter splitter = new SseSplitter();
  private Buffer carry;
  private boolean skipLf;
  private boolean sawDone;
  private boolean sawError;
  private Usage usage;

  OpenAiStreamFilter(boolean clientWantsUsage) {
    this.clientWantsUsage = clientWantsUsage;
  }

  /** Feeds the next received piece; returns the bytes to send to the client now, or null for none. */
  Buffer next(Buffer chunk) {
    Buffer buf;
    int scanFrom;
    if (carry != null) {
      scanFrom = carry.length();
      buf = carry.appendBuffer(chunk);
      carry = null;
    } else {
      scanFrom = 0;
      buf = chunk;
    }
    int runStart = 0;
    int eventStart = 0;
    if (skipLf && buf.length() > 0 && buf.getByte(0) == '\n') {
      runStart = 1; // the LF of a dropped event's CRLF, split across pieces
      eventStart = 1;
    }
    skipLf = false;
    Buffer out = null;
    for (int end = splitter.nextBoundary(buf, scanFrom); end >= 0; end = splitter.nextBoundary(buf, end)) {
      if (!keep(buf, eventStart, end)) {
        // A leading LF completes the previous event's CRLF (split across pieces): it stays.
        int dropFrom = buf.getByte(eventStart) == '\n' ? eventStart + 1 : eventStart;
        out = append(out, buf, runStart, dropFrom);
        runStart = end;
        skipLf = end == buf.length() && buf.getByte(end - 1) == '\r';
      }
      eventStart = end;
    }
    out = append(out, buf, runStart, eventStart);
    if (eventStart < buf.length()) carry = buf.getBuffer(eventStart, buf.length());
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

  /** The usage the upstream reported, or null so far. */
  Usage usage() {
    return usage;
  }

  /** Reads one event; returns false for the usage chunk the client did not ask for. */
  private boolean keep(Buffer buf, int from, int to) {
    int d = Bytes.indexOf(buf, from, to, DATA);
    if (d < 0) return true;
    int p = d + DATA.length;
    if (p < to && buf.getByte(p) == ' ') p++;
    if (Bytes.startsWith(buf, p, to, DONE)) {
      sawDone = true;
      return true;
    }
    if (p >= to || buf.getByte(p) != '{') return true;
    if (Bytes.startsWith(buf, Bytes.skipSpace(buf, p + 1, to), to, ERROR_KEY)) {
      sawError = true;
      return true;
    }
    int u = Bytes.indexOf(buf, p, to, USAGE_KEY);
    if (u < 0) return true;
    int v = Bytes.skipSpace(buf, u + USAGE_KEY.length, to);
    if (v >= to || buf.getByte(v) != '{') return true;
    int lineEnd = p;
    while (lineEnd < to && buf.getByte(lineEnd) != '\n' && buf.getByte(lineEnd) != '\r') lineEnd++;
    OpenAiUsage.Found found = OpenAiUsage.read(buf, p, lineEnd);
    if (found == null) return true;
    usage = found.usage();
    return clientWantsUsage || !found.emptyChoices();
  }

  private static Buffer append(Buffer out, Buffer buf, int from, int to) {
    if (from >= to) return out;
    if (out == null) return buf.slice(from, to);
    Buffer joined = Buffer.buffer(out.length() + to - from);
    return joined.appendBuffer(out).appendBuffer(buf, from, to - from);
  }
}
