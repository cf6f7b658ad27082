package dev.switchboard.stream.eventstream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

/** Test fixtures: sample messages, frames assembled by hand, and a decoder that collects what it emits. */
final class Frames {
  private Frames() {}

  static final UUID SAMPLE_UUID = UUID.fromString("01234567-89ab-cdef-fedc-ba9876543210");

  /** One header of each of the ten wire types (true and false counting as two), with edge values. */
  static EventStreamMessage allTypes(String payload) {
    return EventStreamMessage.builder()
        .header("t", true)
        .header("f", false)
        .header("b", (byte) -2)
        .header("s", (short) -300)
        .header("i", -123456789)
        .header("l", 0x0102030405060708L)
        .header("ba", new byte[] {(byte) 0xde, (byte) 0xad})
        .header("str", "h\u00e9llo")
        .header("ts", Instant.ofEpochMilli(1700000000123L))
        .header("id", SAMPLE_UUID)
        .payload(payload)
        .build();
  }

  /** Named messages covering what Bedrock sends and the edges of the format. */
  static Map<String, EventStreamMessage> samples() {
    Map<String, EventStreamMessage> m = new LinkedHashMap<>();
    m.put("event", EventStreamMessage.event("contentBlockDelta",
        "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"}}"));
    m.put("chunk event", EventStreamMessage.event("chunk", "{\"bytes\":\"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0=\"}"));
    m.put("exception", EventStreamMessage.exceptionWithMessage("throttlingException", "Too many requests"));
    m.put("model stream error", EventStreamMessage.exception("modelStreamErrorException",
        "{\"message\":\"boom\",\"originalStatusCode\":500,\"originalMessage\":\"upstream\"}"));
    m.put("unmodelled error", EventStreamMessage.error("InternalFailure", "something broke"));
    m.put("all header types", allTypes("{}"));
    m.put("empty payload", EventStreamMessage.builder().header(":message-type", "event")
        .header(":event-type", "messageStop").build());
    m.put("no headers, no payload", EventStreamMessage.builder().build());
    m.put("unicode", EventStreamMessage.builder().header(":message-type", "event")
        .header(":event-type", "d\u00e9lta-\u6f22\u5b57-\ud83d\ude00").header("n\u00e4me-\u0416", "v\u00e4lue \ud83d\udc4d")
        .payload("{\"text\":\"\u00e9\u6f22\u5b57\ud83d\ude00 \\\"quoted\\\"\\n\"}").build());
    return m;
  }

  /** A 1 MiB message whose payload bytes are not all alike, so a misplaced byte shows. */
  static EventStreamMessage large() {
    byte[] payload = new byte[1024 * 1024];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31 + (i >>> 8));
    return EventStreamMessage.builder().header(":message-type", "event").header(":event-type", "chunk")
        .payload(payload).build();
  }

  static byte[] bytes(Buffer buffer) {
    return buffer.getBytes();
  }

  static byte[] encode(EventStreamMessage... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (EventStreamMessage m : messages) out.writeBytes(EventStreamEncoder.encode(m).getBytes());
    return out.toByteArray();
  }

  /** A frame assembled here, byte by byte, around any header block: lengths and both CRCs computed for it. */
  static byte[] frame(byte[] headers, byte[] payload) {
    int total = 16 + headers.length + payload.length;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.put(prelude(total, headers.length));
    b.put(headers).put(payload);
    b.putInt((int) crc(b.array(), 0, total - 4));
    return b.array();
  }

  /** A 12-byte prelude claiming these lengths, with a correct prelude CRC. */
  static byte[] prelude(long total, long headersLength) {
    ByteBuffer b = ByteBuffer.allocate(12).putInt((int) total).putInt((int) headersLength);
    b.putInt((int) crc(b.array(), 0, 8));
    return b.array();
  }

  /** One header as raw bytes: name, then the type byte and value bytes given. */
  static byte[] header(String name, int type, byte... value) {
    byte[] n = name.getBytes(UTF_8);
    return ByteBuffer.allocate(2 + n.length + value.length).put((byte) n.length).put(n).put((byte) type).put(value)
        .array();
  }

  /** A type-7 string header as raw bytes. */
  static byte[] stringHeader(String name, String value) {
    byte[] v = value.getBytes(UTF_8);
    return header(name, 7, ByteBuffer.allocate(2 + v.length).putShort((short) v.length).put(v).array());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  static long crc(byte[] a, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(a, from, to - from);
    return crc.getValue();
  }

  /** A decoder that collects its messages. */
  static final class Collector {
    final List<EventStreamMessage> messages = new ArrayList<>();
    final EventStreamDecoder decoder = new EventStreamDecoder(messages::add);

    Collector feed(byte[] bytes, int from, int to) {
      decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, from, to)));
      return this;
    }

    Collector feed(byte[] bytes) {
      return feed(bytes, 0, bytes.length);
    }
  }
}
