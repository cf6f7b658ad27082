package dev.switchboard.stream.eventstream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * One event-stream message: ordered, typed headers and a payload of bytes. Build one with {@link #builder()} or,
 * for what Bedrock sends, {@link #event}, {@link #exception}, {@link #exceptionWithMessage} and {@link #error};
 * turn it into a frame with {@link EventStreamEncoder#encode}; get one back from {@link EventStreamDecoder}.
 *
 * <p>Header values have these Java types, one per wire type: {@code Boolean} (types 0 and 1), {@code Byte},
 * {@code Short}, {@code Integer}, {@code Long}, {@code byte[]}, {@code String}, {@code Instant} (millisecond
 * precision) and {@code UUID}.
 *
 * <p>Immutable and thread-safe: the builder and the factories copy what they are given, and the accessors return
 * copies of anything mutable. Nothing here accepts or returns {@code null} except where a method says so.
 */
public final class EventStreamMessage {
  /** Mandatory on every message: {@code event}, {@code exception} or {@code error}. */
  public static final String MESSAGE_TYPE = ":message-type";
  /** On events: the union member the payload belongs to, e.g. {@code contentBlockDelta} or {@code chunk}. */
  public static final String EVENT_TYPE = ":event-type";
  /** On modelled exceptions: the union member name in camelCase, e.g. {@code throttlingException}. */
  public static final String EXCEPTION_TYPE = ":exception-type";
  public static final String CONTENT_TYPE = ":content-type";
  /** On unmodelled errors, with {@link #ERROR_MESSAGE} and an empty payload. */
  public static final String ERROR_CODE = ":error-code";
  public static final String ERROR_MESSAGE = ":error-message";

  private static final byte[] NO_BYTES = {};
  private static final JsonStringEncoder JSON_STRING = JsonStringEncoder.getInstance();
  private static final byte[] MESSAGE_OPEN = "{\"message\":\"".getBytes(UTF_8);
  private static final byte[] MESSAGE_CLOSE = "\"}".getBytes(UTF_8);

  // Parallel arrays in wire order; a handful of headers makes a linear search the fastest lookup.
  private final String[] names;
  private final Object[] values;
  // The encoded header block and the payload, as ranges so a decoded message can share its frame's array.
  private final byte[] headerBytes;
  private final int headerOffset;
  private final int headerLength;
  private final byte[] payloadBytes;
  private final int payloadOffset;
  private final int payloadLength;

  /** Takes ownership of every array: callers hand over arrays nobody else writes to. */
  EventStreamMessage(String[] names, Object[] values, byte[] headerBytes, int headerOffset, int headerLength,
      byte[] payloadBytes, int payloadOffset, int payloadLength) {
    this.names = names;
    this.values = values;
    this.headerBytes = headerBytes;
    this.headerOffset = headerOffset;
    this.headerLength = headerLength;
    this.payloadBytes = payloadBytes;
    this.payloadOffset = payloadOffset;
    this.payloadLength = payloadLength;
  }

  /** Returns an empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An event as Bedrock sends it: {@code :message-type=event}, {@code :event-type=eventType} and
   * {@code :content-type=application/json}, with {@code json} (not checked) as the payload.
   *
   * @throws IllegalArgumentException if {@code eventType} is empty or longer than 32767 UTF-8 bytes
   */
  public static EventStreamMessage event(String eventType, String json) {
    return typed("event", EVENT_TYPE, eventType).payload(json).build();
  }

  /** Like {@link #event(String, String)}, with the payload as UTF-8 bytes (copied). */
  public static EventStreamMessage event(String eventType, byte[] json) {
    return typed("event", EVENT_TYPE, eventType).payload(json).build();
  }

  /**
   * A modelled exception as Bedrock sends it: {@code :message-type=exception},
   * {@code :exception-type=exceptionType} and {@code :content-type=application/json}, with {@code json} (not
   * checked) as the payload, e.g. {@code {"message":"…","originalStatusCode":500}} for
   * {@code modelStreamErrorException}.
   *
   * @throws IllegalArgumentException if {@code exceptionType} does not start with a lower-case letter: the SDKs
   *     match the union member name ({@code throttlingException}), and the shape name
   *     ({@code ThrottlingException}) degrades to an untyped error on the client
   */
  public static EventStreamMessage exception(String exceptionType, String json) {
    return exceptionBuilder(exceptionType).payload(json).build();
  }

  /** Like {@link #exception(String, String)}, with the payload as UTF-8 bytes (copied). */
  public static EventStreamMessage exception(String exceptionType, byte[] json) {
    return exceptionBuilder(exceptionType).payload(json).build();
  }

  /**
   * A modelled exception whose payload is {@code {"message":"…"}} with {@code message} escaped as a JSON string;
   * otherwise as {@link #exception(String, String)}.
   */
  public static EventStreamMessage exceptionWithMessage(String exceptionType, String message) {
    byte[] quoted = JSON_STRING.quoteAsUTF8(message);
    byte[] json = new byte[MESSAGE_OPEN.length + quoted.length + MESSAGE_CLOSE.length];
    System.arraycopy(MESSAGE_OPEN, 0, json, 0, MESSAGE_OPEN.length);
    System.arraycopy(quoted, 0, json, MESSAGE_OPEN.length, quoted.length);
    System.arraycopy(MESSAGE_CLOSE, 0, json, MESSAGE_OPEN.length + quoted.length, MESSAGE_CLOSE.length);
    return exceptionBuilder(exceptionType).ownedPayload(json).build();
  }

  /**
   * An unmodelled error: {@code :message-type=error}, {@code :error-code=code}, {@code :error-message=message}
   * and no payload. Clients surface it as a generic service error carrying the code.
   *
   * @throws IllegalArgumentException if either string is empty or longer than 32767 UTF-8 bytes
   */
  public static EventStreamMessage error(String code, String message) {
    return builder().header(MESSAGE_TYPE, "error").header(ERROR_CODE, code).header(ERROR_MESSAGE, message).build();
  }

  private static Builder typed(String messageType, String typeHeader, String type) {
    return builder().header(MESSAGE_TYPE, messageType).header(typeHeader, type)
        .header(CONTENT_TYPE, "application/json");
  }

  private static Builder exceptionBuilder(String exceptionType) {
    if (exceptionType.isEmpty() || !Character.isLowerCase(exceptionType.charAt(0))) {
      throw new IllegalArgumentException("exception type : '" + exceptionType + "' (expected: the union member"
          + " name in camelCase, like throttlingException; a shape name makes the SDKs raise an untyped error)");
    }
    return typed("exception", EXCEPTION_TYPE, exceptionType);
  }

  /** Header names in wire order; unmodifiable. */
  public List<String> headerNames() {
    return Collections.unmodifiableList(Arrays.asList(names));
  }

  /**
   * The value of header {@code name} as its Java type (see the class comment), a copy if it is a {@code byte[]},
   * or {@code null} when the message has no such header.
   */
  public Object header(String name) {
    int i = indexOf(name);
    if (i < 0) return null;
    return values[i] instanceof byte[] bytes ? bytes.clone() : values[i];
  }

  /**
   * The value of string header {@code name}, or {@code null} when the message has no such header.
   *
   * @throws IllegalStateException if the header has another type
   */
  public String stringHeader(String name) {
    int i = indexOf(name);
    if (i < 0) return null;
    if (values[i] instanceof String s) return s;
    throw new IllegalStateException("header '" + name + "' is " + typeName(values[i]) + ", not String");
  }

  public int payloadLength() {
    return payloadLength;
  }

  /** A copy of the payload. */
  public Buffer payload() {
    return Buffer.buffer(payloadLength).appendBytes(payloadBytes, payloadOffset, payloadLength);
  }

  /** A copy of the payload. */
  public byte[] payloadBytes() {
    return Arrays.copyOfRange(payloadBytes, payloadOffset, payloadOffset + payloadLength);
  }

  /** The payload decoded as UTF-8 (malformed sequences become U+FFFD). */
  public String payloadAsString() {
    return new String(payloadBytes, payloadOffset, payloadLength, UTF_8);
  }

  // For the encoder: the ranges it copies into a frame without another copy.
  byte[] headerArray() {
    return headerBytes;
  }

  int headerOffset() {
    return headerOffset;
  }

  int headerLength() {
    return headerLength;
  }

  byte[] payloadArray() {
    return payloadBytes;
  }

  int payloadOffset() {
    return payloadOffset;
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) return i;
    }
    return -1;
  }

  /** Equal when the headers (names, order, types and values) and the payload bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof EventStreamMessage m
        && Arrays.equals(names, m.names)
        && Arrays.deepEquals(values, m.values)
        && Arrays.equals(payloadBytes, payloadOffset, payloadOffset + payloadLength,
            m.payloadBytes, m.payloadOffset, m.payloadOffset + m.payloadLength);
  }

  @Override
  public int hashCode() {
    int h = Arrays.deepHashCode(values) * 31 + Arrays.hashCode(names);
    for (int i = payloadOffset; i < payloadOffset + payloadLength; i++) h = 31 * h + payloadBytes[i];
    return h;
  }

  /** Headers and the payload's length; never the payload itself, which may hold user content. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("EventStreamMessage[");
    for (int i = 0; i < names.length; i++) {
      s.append(names[i]).append('=');
      if (values[i] instanceof byte[] bytes) s.append("byte[").append(bytes.length).append(']');
      else s.append(values[i]);
      s.append(", ");
    }
    return s.append("payload ").append(payloadLength).append(" bytes]").toString();
  }

  private static String typeName(Object value) {
    return value instanceof byte[] ? "byte[]" : value.getClass().getSimpleName();
  }

  /**
   * Collects headers in order and a payload, checking each against the limits AWS peers enforce as it arrives, so a
   * message that builds is one every AWS SDK can read:
   *
   * <ul>
   *   <li>a header name is 1 to 127 UTF-8 bytes and appears once;
   *   <li>a string or byte-array value is 1 to 32767 bytes (AWS's Java decoder rejects empty ones);
   *   <li>the header block is at most 128 KiB, and the whole frame at most 16 MiB.
   * </ul>
   *
   * Each violation throws {@link IllegalArgumentException} naming the header, the value and the rule. Not
   * thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    // Names that the factories use on every message, encoded once.
    private static final Map<String, byte[]> KNOWN_UTF8 = Map.of(
        MESSAGE_TYPE, MESSAGE_TYPE.getBytes(UTF_8),
        EVENT_TYPE, EVENT_TYPE.getBytes(UTF_8),
        EXCEPTION_TYPE, EXCEPTION_TYPE.getBytes(UTF_8),
        CONTENT_TYPE, CONTENT_TYPE.getBytes(UTF_8),
        "event", "event".getBytes(UTF_8),
        "exception", "exception".getBytes(UTF_8),
        "application/json", "application/json".getBytes(UTF_8));

    private String[] names = new String[4];
    private Object[] values = new Object[4];
    private byte[][] nameUtf8 = new byte[4][];
    private byte[][] valueUtf8 = new byte[4][];
    private int count;
    private int headersSize;
    private byte[] payload = NO_BYTES;

    private Builder() {}

    public Builder header(String name, boolean value) {
      return add(name, value, null);
    }

    public Builder header(String name, byte value) {
      return add(name, value, null);
    }

    public Builder header(String name, short value) {
      return add(name, value, null);
    }

    public Builder header(String name, int value) {
      return add(name, value, null);
    }

    public Builder header(String name, long value) {
      return add(name, value, null);
    }

    /** A byte-array header; {@code value} is copied. */
    public Builder header(String name, byte[] value) {
      checkLength(name, "byte array", value.length);
      return add(name, value.clone(), null);
    }

    public Builder header(String name, String value) {
      byte[] utf8 = utf8(value);
      checkLength(name, "string", utf8.length);
      return add(name, value, utf8);
    }

    /** A timestamp header; the wire carries milliseconds, so anything finer is dropped here. */
    public Builder header(String name, Instant value) {
      Instant millis = value.truncatedTo(ChronoUnit.MILLIS);
      try {
        millis.toEpochMilli();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("header '" + name + "' : " + value + " (expected: an instant whose"
            + " epoch milliseconds fit in a long)", e);
      }
      return add(name, millis, null);
    }

    public Builder header(String name, UUID value) {
      return add(name, value, null);
    }

    /** Sets the payload to a copy of {@code bytes}. */
    public Builder payload(byte[] bytes) {
      return ownedPayload(bytes.clone());
    }

    /** Sets the payload to a copy of {@code buffer}'s bytes. */
    public Builder payload(Buffer buffer) {
      return ownedPayload(buffer.getBytes());
    }

    /** Sets the payload to {@code text} encoded as UTF-8. */
    public Builder payload(String text) {
      return ownedPayload(text.getBytes(UTF_8));
    }

    private Builder ownedPayload(byte[] bytes) {
      this.payload = bytes;
      return this;
    }

    /**
     * Returns the message.
     *
     * @throws IllegalArgumentException if the frame would exceed 16 MiB
     */
    public EventStreamMessage build() {
      long total = (long) Framing.OVERHEAD + headersSize + payload.length;
      if (total > Framing.MAX_TOTAL) {
        throw new IllegalArgumentException("frame : " + total + " bytes with a " + payload.length + "-byte payload"
            + " (expected: at most " + Framing.MAX_TOTAL + ")");
      }
      byte[] block = new byte[headersSize];
      int at = 0;
      for (int i = 0; i < count; i++) at = HeaderCodec.write(block, at, nameUtf8[i], values[i], valueUtf8[i]);
      return new EventStreamMessage(Arrays.copyOf(names, count), Arrays.copyOf(values, count), block, 0,
          headersSize, payload, 0, payload.length);
    }

    private Builder add(String name, Object value, byte[] utf8) {
      byte[] encodedName = utf8(name);
      if (encodedName.length == 0 || encodedName.length > Framing.MAX_NAME) {
        throw new IllegalArgumentException("header name : '" + name + "' is " + encodedName.length
            + " UTF-8 bytes (expected: 1.." + Framing.MAX_NAME + ")");
      }
      for (int i = 0; i < count; i++) {
        if (names[i].equals(name)) {
          throw new IllegalArgumentException("header name : '" + name + "' (expected: each name once)");
        }
      }
      int size = headersSize + 1 + encodedName.length + HeaderCodec.valueSize(value, utf8);
      if (size > Framing.MAX_HEADERS) {
        throw new IllegalArgumentException("headers : " + size + " bytes with header '" + name + "' (expected: at"
            + " most " + Framing.MAX_HEADERS + ")");
      }
      if (count == names.length) {
        names = Arrays.copyOf(names, count * 2);
        values = Arrays.copyOf(values, count * 2);
        nameUtf8 = Arrays.copyOf(nameUtf8, count * 2);
        valueUtf8 = Arrays.copyOf(valueUtf8, count * 2);
      }
      names[count] = name;
      values[count] = value;
      nameUtf8[count] = encodedName;
      valueUtf8[count] = utf8;
      count++;
      headersSize = size;
      return this;
    }

    private static void checkLength(String name, String type, int length) {
      if (length == 0 || length > Framing.MAX_VALUE) {
        throw new IllegalArgumentException("header '" + name + "' : " + type + " of " + length + " bytes (expected:"
            + " 1.." + Framing.MAX_VALUE + "; AWS's decoders reject empty and longer values)");
      }
    }

    private static byte[] utf8(String s) {
      byte[] known = KNOWN_UTF8.get(s);
      return known != null ? known : s.getBytes(UTF_8);
    }
  }
}
