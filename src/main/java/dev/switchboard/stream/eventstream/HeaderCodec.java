package dev.switchboard.stream.eventstream;

import static dev.switchboard.stream.eventstream.Framing.getInt;
import static dev.switchboard.stream.eventstream.Framing.getLong;
import static dev.switchboard.stream.eventstream.Framing.getShort;
import static dev.switchboard.stream.eventstream.Framing.putLong;
import static dev.switchboard.stream.eventstream.Framing.putShort;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.switchboard.stream.eventstream.EventStreamDecoder.MalformedFrameException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.UUID;

/**
 * Reads and writes the header block. Each header is {@code name length (u8), name (UTF-8), value type (u8), value};
 * the ten value types and their Java representations are:
 *
 * <pre>
 *  0 true, 1 false     Boolean    (no value bytes)
 *  2 byte              Byte       1 byte
 *  3 short             Short      2 bytes
 *  4 int               Integer    4 bytes
 *  5 long              Long       8 bytes
 *  6 byte array        byte[]     u16 length + bytes
 *  7 string            String     u16 length + UTF-8
 *  8 timestamp         Instant    int64 milliseconds since the epoch
 *  9 uuid              UUID       16 bytes, most significant first
 * </pre>
 *
 * All integers are big-endian and signed except the lengths.
 */
final class HeaderCodec {
  static final int TRUE = 0;
  static final int FALSE = 1;
  static final int BYTE = 2;
  static final int SHORT = 3;
  static final int INT = 4;
  static final int LONG = 5;
  static final int BYTES = 6;
  static final int STRING = 7;
  static final int TIMESTAMP = 8;
  static final int UUID_TYPE = 9;

  private HeaderCodec() {}

  /**
   * Bytes that {@code value} takes after the name: its type byte and its value bytes. {@code utf8} is the encoded
   * form of a {@code String} value (so it is encoded once) and is ignored for other types.
   */
  static int valueSize(Object value, byte[] utf8) {
    return 1 + switch (value) {
      case Boolean b -> 0;
      case Byte b -> 1;
      case Short s -> 2;
      case Integer i -> 4;
      case Long l -> 8;
      case byte[] a -> 2 + a.length;
      case String s -> 2 + utf8.length;
      case Instant t -> 8;
      case UUID u -> 16;
      default -> throw new IllegalArgumentException("no event-stream header type for " + value.getClass());
    };
  }

  /** Writes one header at {@code at} and returns the index just past it. */
  static int write(byte[] dst, int at, byte[] name, Object value, byte[] utf8) {
    dst[at++] = (byte) name.length;
    System.arraycopy(name, 0, dst, at, name.length);
    at += name.length;
    switch (value) {
      case Boolean b -> dst[at++] = (byte) (b ? TRUE : FALSE);
      case Byte b -> {
        dst[at++] = BYTE;
        dst[at++] = b;
      }
      case Short s -> {
        dst[at++] = SHORT;
        putShort(dst, at, s);
        at += 2;
      }
      case Integer i -> {
        dst[at++] = INT;
        Framing.putInt(dst, at, i);
        at += 4;
      }
      case Long l -> {
        dst[at++] = LONG;
        putLong(dst, at, l);
        at += 8;
      }
      case byte[] a -> {
        dst[at++] = BYTES;
        at = writeBytes(dst, at, a);
      }
      case String s -> {
        dst[at++] = STRING;
        at = writeBytes(dst, at, utf8);
      }
      case Instant t -> {
        dst[at++] = TIMESTAMP;
        putLong(dst, at, t.toEpochMilli());
        at += 8;
      }
      case UUID u -> {
        dst[at++] = UUID_TYPE;
        putLong(dst, at, u.getMostSignificantBits());
        putLong(dst, at + 8, u.getLeastSignificantBits());
        at += 16;
      }
      default -> throw new IllegalArgumentException("no event-stream header type for " + value.getClass());
    }
    return at;
  }

  private static int writeBytes(byte[] dst, int at, byte[] value) {
    putShort(dst, at, (short) value.length);
    System.arraycopy(value, 0, dst, at + 2, value.length);
    return at + 2 + value.length;
  }

  /**
   * Parses {@code src[from, to)} into {@code names} and {@code values}, in wire order. A name seen twice keeps its
   * first position and takes the later value, as the AWS SDKs do (they read headers into a map).
   *
   * <p>Only the structure is checked (known type, nothing runs past the block); the encoder's stricter limits on
   * names and values are not, so anything an AWS peer could send is readable.
   *
   * @throws MalformedFrameException naming the header that does not parse
   */
  static void read(byte[] src, int from, int to, ArrayList<String> names, ArrayList<Object> values) {
    int at = from;
    for (int index = 1; at < to; index++) {
      int nameLength = src[at] & 0xFF;
      need(at + 1, nameLength + 1, to, index);
      String name = new String(src, at + 1, nameLength, UTF_8);
      at += 1 + nameLength;
      int type = src[at++] & 0xFF;
      Object value;
      switch (type) {
        case TRUE -> value = Boolean.TRUE;
        case FALSE -> value = Boolean.FALSE;
        case BYTE -> {
          need(at, 1, to, name);
          value = src[at];
          at += 1;
        }
        case SHORT -> {
          need(at, 2, to, name);
          value = getShort(src, at);
          at += 2;
        }
        case INT -> {
          need(at, 4, to, name);
          value = getInt(src, at);
          at += 4;
        }
        case LONG -> {
          need(at, 8, to, name);
          value = getLong(src, at);
          at += 8;
        }
        case BYTES, STRING -> {
          need(at, 2, to, name);
          int length = getShort(src, at) & 0xFFFF;
          need(at + 2, length, to, name);
          value = type == STRING
              ? new String(src, at + 2, length, UTF_8)
              : Arrays.copyOfRange(src, at + 2, at + 2 + length);
          at += 2 + length;
        }
        case TIMESTAMP -> {
          need(at, 8, to, name);
          value = Instant.ofEpochMilli(getLong(src, at));
          at += 8;
        }
        case UUID_TYPE -> {
          need(at, 16, to, name);
          value = new UUID(getLong(src, at), getLong(src, at + 8));
          at += 16;
        }
        default -> throw new MalformedFrameException(
            "header '" + name + "' has unknown value type " + type + " (expected: 0..9)");
      }
      int seen = names.indexOf(name);
      if (seen >= 0) {
        values.set(seen, value);
      } else {
        names.add(name);
        values.add(value);
      }
    }
  }

  private static void need(int at, int count, int to, String header) {
    if (count > to - at) {
      throw new MalformedFrameException("header '" + header + "' runs past the end of the header block (needs "
          + count + " more bytes, " + Math.max(0, to - at) + " left)");
    }
  }

  private static void need(int at, int count, int to, int index) {
    if (count > to - at) {
      throw new MalformedFrameException("header " + index + ": its name and type run past the end of the header"
          + " block (needs " + count + " more bytes, " + Math.max(0, to - at) + " left)");
    }
  }
}
