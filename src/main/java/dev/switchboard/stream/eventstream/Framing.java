package dev.switchboard.stream.eventstream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The fixed parts of an event-stream frame: its layout, AWS's size limits, and big-endian access to byte arrays.
 *
 * <pre>
 * | total length u32 | headers length u32 | prelude CRC u32 | headers | payload | message CRC u32 |
 * </pre>
 *
 * Both checksums are plain CRC-32 (the zlib/gzip polynomial, {@link CRC32}), not CRC-32C: the prelude CRC covers
 * the first 8 bytes, the message CRC every byte before it.
 */
final class Framing {
  /** Total length, headers length and prelude CRC. */
  static final int PRELUDE = 12;
  /** Prelude plus the trailing message CRC: the size of a frame with no headers and no payload. */
  static final int OVERHEAD = PRELUDE + 4;
  /** AWS's limit on a whole frame (aws-c-event-stream {@code AWS_EVENT_STREAM_MAX_MESSAGE_SIZE}). */
  static final int MAX_TOTAL = 16 * 1024 * 1024;
  /** AWS's limit on the header block ({@code AWS_EVENT_STREAM_MAX_HEADERS_SIZE}). */
  static final int MAX_HEADERS = 128 * 1024;
  /** Longest header name AWS's C runtime accepts ({@code INT8_MAX}); the wire field could hold 255. */
  static final int MAX_NAME = 127;
  /** Longest string or byte-array value the AWS runtimes accept ({@code INT16_MAX}); the wire field could hold 65535. */
  static final int MAX_VALUE = 32767;

  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private Framing() {}

  static short getShort(byte[] a, int at) {
    return (short) SHORT.get(a, at);
  }

  static int getInt(byte[] a, int at) {
    return (int) INT.get(a, at);
  }

  static long getLong(byte[] a, int at) {
    return (long) LONG.get(a, at);
  }

  static void putShort(byte[] a, int at, short v) {
    SHORT.set(a, at, v);
  }

  static void putInt(byte[] a, int at, int v) {
    INT.set(a, at, v);
  }

  static void putLong(byte[] a, int at, long v) {
    LONG.set(a, at, v);
  }

  /** Feeds {@code v} to {@code crc} as four big-endian bytes, as it appears on the wire. */
  static void updateInt(CRC32 crc, int v) {
    crc.update(v >>> 24);
    crc.update(v >>> 16);
    crc.update(v >>> 8);
    crc.update(v);
  }
}
