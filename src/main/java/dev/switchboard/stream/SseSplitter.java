package dev.switchboard.stream;

import io.vertx.core.buffer.Buffer;

/**
 * Finds where server-sent events end in a byte stream that arrives in arbitrary pieces. An event ends
 * with a blank line; lines end with LF, CRLF or CR (all three are legal SSE). The splitter keeps only two
 * fields of state between pieces, never the bytes themselves, so callers decide what to copy.
 *
 * <p>Not thread-safe: one instance per stream, used from that stream's event loop.
 */
public final class SseSplitter {
  private int lineLength;
  private boolean afterCr;

  /**
   * Scans {@code chunk} from {@code from} and returns the index just past the next event terminator, or
   * -1 when the chunk holds no further terminator (the state then covers everything scanned).
   */
  public int nextBoundary(Buffer chunk, int from) {
    int end = chunk.length();
    for (int i = from; i < end; i++) {
      byte b = chunk.getByte(i);
      if (b == '\n') {
        if (afterCr) {
          afterCr = false; // the LF of a CRLF: its line already ended at the CR
          continue;
        }
        if (lineLength == 0) return i + 1;
        lineLength = 0;
      } else if (b == '\r') {
        afterCr = true;
        if (lineLength == 0) {
          // A CR-terminated blank line. If a LF follows, it completes this CRLF; include it when it is here.
          if (i + 1 < end && chunk.getByte(i + 1) == '\n') {
            afterCr = false;
            return i + 2;
          }
          return i + 1;
        }
        lineLength = 0;
      } else {
        afterCr = false;
        lineLength++;
      }
    }
    return -1;
  }
}
