package dev.switchboard.stream;


/**
 * Finds where server-sent events end in a byte stream that arrives in arbitrary pieces. An event ends
 * with a blank line; lines end with LF, CRLF or CR (all three are legal SSE). The splitter keeps only two
 * fields of state between pieces, never the bytes themselves, so callers decide what to copy.
 *
 * <p>Not thread-safe: one instance per stream, used from that stream's event loop.
 */
public final class SseSplitter {
  /** 0 at the start of a line, 1 inside one: only emptiness matters. */
  private int lineLength;
  private boolean afterCr;

  /**
   * Scans {@code bytes[from, to)} and returns the index just past the next event terminator, or -1 when
   * there is none (the state then covers everything scanned).
   */
  public int nextBoundary(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      byte b = bytes[i];
      if (b != '\n' && b != '\r') {
        // Inside a line: skip to its end in a tight loop that writes no state.
        afterCr = false;
        lineLength = 1;
        i = ByteArrays.nextLineBreak(bytes, i + 1, to);
        continue;
      }
      if (b == '\n') {
        if (afterCr) {
          afterCr = false; // the LF of a CRLF: its line already ended at the CR
        } else if (lineLength == 0) {
          return i + 1;
        } else {
          lineLength = 0;
        }
      } else {
        afterCr = true;
        if (lineLength == 0) {
          // A CR-terminated blank line. If a LF follows, it completes this CRLF; include it when it is here.
          if (i + 1 < to && bytes[i + 1] == '\n') {
            afterCr = false;
            return i + 2;
          }
          return i + 1;
        }
        lineLength = 0;
      }
      i++;
    }
    return -1;
  }
}
