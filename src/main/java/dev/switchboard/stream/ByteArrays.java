package dev.switchboard.stream;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Direct access to the bytes behind a Vert.x {@link Buffer}, for scanners on the hot path: a loop over
 * {@code Buffer.getByte} pays a bounds and reference-count check per byte (measured: the largest single
 * cost of relaying a 5 KB stream), a loop over the array pays nothing.
 */
public final class ByteArrays {
  private ByteArrays() {}

  public static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** A buffer's bytes: {@code array[offset, offset + buffer.length())}. */
  public record View(byte[] array, int offset) {}

  /** The buffer's own heap array when it has one (the usual case: Vert.x hands over heap buffers), else a copy. */
  public static View view(Buffer buffer) {
    ByteBuf buf = ((BufferInternal) buffer).getByteBuf();
    if (buf.hasArray()) return new View(buf.array(), buf.arrayOffset() + buf.readerIndex());
    return new View(buffer.getBytes(), 0);
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
  private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * Index of the first LF or CR in {@code a[from, to)}, or {@code to}. Tests eight bytes at a time (a zero
   * byte in {@code word ^ LFS} marks a LF; the lowest flagged byte is exact, so the first match is found):
   * stream scanning spends most of its time here.
   */
  public static int nextLineBreak(byte[] a, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long w = (long) LONGS.get(a, i);
      long lf = w ^ LFS;
      long cr = w ^ CRS;
      long hit = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
      if (hit != 0) return i + (Long.numberOfTrailingZeros(hit) >>> 3);
    }
    while (i < to && a[i] != '\n' && a[i] != '\r') i++;
    return i;
  }

  /** Index of {@code needle} in {@code a[from, to)}, or -1. */
  public static int indexOf(byte[] a, int from, int to, byte[] needle) {
    int last = to - needle.length;
    byte first = needle[0];
    outer:
    for (int i = from; i <= last; i++) {
      if (a[i] != first) continue;
      for (int j = 1; j < needle.length; j++) {
        if (a[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** Index of the last {@code needle} in {@code a[from, to)}, or -1. */
  public static int lastIndexOf(byte[] a, int from, int to, byte[] needle) {
    byte first = needle[0];
    outer:
    for (int i = to - needle.length; i >= from; i--) {
      if (a[i] != first) continue;
      for (int j = 1; j < needle.length; j++) {
        if (a[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** Index of the first byte in {@code a[from, to)} that is not JSON white space, or {@code to}. */
  public static int skipSpace(byte[] a, int from, int to) {
    int i = from;
    while (i < to && (a[i] == ' ' || a[i] == '\t' || a[i] == '\r' || a[i] == '\n')) i++;
    return i;
  }

  /** True when {@code a[at, at + prefix.length)} equals {@code prefix} and lies before {@code to}. */
  public static boolean startsWith(byte[] a, int at, int to, byte[] prefix) {
    if (to - at < prefix.length) return false;
    for (int j = 0; j < prefix.length; j++) {
      if (a[at + j] != prefix[j]) return false;
    }
    return true;
  }
}
