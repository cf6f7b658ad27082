package dev.switchboard.stream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Byte searches over Vert.x buffers, for scanning streams without decoding them. */
public final class Bytes {
  private Bytes() {}

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Index of {@code needle} in {@code buf[from, to)}, or -1. */
  public static int indexOf(Buffer buf, int from, int to, byte[] needle) {
    int last = to - needle.length;
    byte first = needle[0];
    outer:
    for (int i = from; i <= last; i++) {
      if (buf.getByte(i) != first) continue;
      for (int j = 1; j < needle.length; j++) {
        if (buf.getByte(i + j) != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** Index of the first byte in {@code buf[from, to)} that is not JSON white space, or {@code to}. */
  public static int skipSpace(Buffer buf, int from, int to) {
    int i = from;
    while (i < to) {
      byte b = buf.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') break;
      i++;
    }
    return i;
  }

  /** True when {@code buf[at, at + prefix.length)} equals {@code prefix}. */
  public static boolean startsWith(Buffer buf, int at, int to, byte[] prefix) {
    if (to - at < prefix.length) return false;
    for (int j = 0; j < prefix.length; j++) {
      if (buf.getByte(at + j) != prefix[j]) return false;
    }
    return true;
  }
}
