package dev.switchboard.stream.eventstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Frames whose bytes were worked out independently of this codec and of the oracle: the layout by hand and both
 * CRCs with Python's {@code zlib.crc32}. A mistake shared by our encoder and decoder (say, a little-endian length
 * or CRC-32C) would round-trip happily; it cannot match these.
 */
class EventStreamGoldenTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The vector in PROTOCOLS.md 3.4: payload {@code {"foo": "bar"}}, no headers. */
  private static final String FOO_BAR =
      "0000001e" + "00000000" + "baf2f68a" + "7b22666f6f223a2022626172227d" + "ae7258e4";

  /** One header of every type, empty payload. */
  private static final String ALL_TYPES = "00000066" + "00000056" + "f158a945"
      + "0174" + "00"
      + "0166" + "01"
      + "0162" + "02" + "fe"
      + "0173" + "03" + "fed4"
      + "0169" + "04" + "f8a432eb"
      + "016c" + "05" + "0102030405060708"
      + "026261" + "06" + "0002" + "dead"
      + "03737472" + "07" + "0006" + "68c3a96c6c6f"
      + "027473" + "08" + "0000018bcfe5687b"
      + "026964" + "09" + "0123456789abcdeffedcba9876543210"
      + "b9d4c7c0";

  /** {@code EventStreamMessage.event("chunk", "{\"bytes\":\"eyJ9\"}")}. */
  private static final String CHUNK_EVENT = "0000006b" + "0000004b" + "6ace012d"
      + "0d" + "3a6d6573736167652d74797065" + "07" + "0005" + "6576656e74"
      + "0b" + "3a6576656e742d74797065" + "07" + "0005" + "6368756e6b"
      + "0d" + "3a636f6e74656e742d74797065" + "07" + "0010" + "6170706c69636174696f6e2f6a736f6e"
      + "7b226279746573223a2265794a39227d"
      + "c060d161";

  @Test
  void theSpecVectorEncodesAndDecodes() {
    EventStreamMessage message = EventStreamMessage.builder().payload("{\"foo\": \"bar\"}").build();
    assertThat(HEX.formatHex(EventStreamEncoder.encode(message).getBytes())).isEqualTo(FOO_BAR);
    assertThat(decodeOne(FOO_BAR)).isEqualTo(message);
  }

  @Test
  void everyHeaderTypeHasItsWireForm() {
    EventStreamMessage message = EventStreamMessage.builder()
        .header("t", true).header("f", false).header("b", (byte) -2).header("s", (short) -300)
        .header("i", -123456789).header("l", 0x0102030405060708L).header("ba", new byte[] {(byte) 0xde, (byte) 0xad})
        .header("str", "h\u00e9llo").header("ts", Instant.ofEpochMilli(1700000000123L))
        .header("id", Frames.SAMPLE_UUID).build();
    assertThat(HEX.formatHex(EventStreamEncoder.encode(message).getBytes())).isEqualTo(ALL_TYPES);

    EventStreamMessage decoded = decodeOne(ALL_TYPES);
    assertThat(decoded).isEqualTo(message);
    assertThat(decoded.headerNames()).containsExactly("t", "f", "b", "s", "i", "l", "ba", "str", "ts", "id");
    assertThat(decoded.header("t")).isEqualTo(true);
    assertThat(decoded.header("f")).isEqualTo(false);
    assertThat(decoded.header("b")).isEqualTo((byte) -2);
    assertThat(decoded.header("s")).isEqualTo((short) -300);
    assertThat(decoded.header("i")).isEqualTo(-123456789);
    assertThat(decoded.header("l")).isEqualTo(0x0102030405060708L);
    assertThat(decoded.header("ba")).isEqualTo(new byte[] {(byte) 0xde, (byte) 0xad});
    assertThat(decoded.stringHeader("str")).isEqualTo("h\u00e9llo");
    assertThat(decoded.header("ts")).isEqualTo(Instant.parse("2023-11-14T22:13:20.123Z"));
    assertThat(decoded.header("id")).isEqualTo(Frames.SAMPLE_UUID);
    assertThat(decoded.payloadLength()).isZero();
  }

  @Test
  void aBedrockEventHasItsWireForm() {
    EventStreamMessage message = EventStreamMessage.event("chunk", "{\"bytes\":\"eyJ9\"}");
    Buffer frame = EventStreamEncoder.encode(message);
    assertThat(HEX.formatHex(frame.getBytes())).isEqualTo(CHUNK_EVENT);
    assertThat(frame.length()).isEqualTo(0x6b);
    EventStreamMessage decoded = decodeOne(CHUNK_EVENT);
    assertThat(decoded.stringHeader(":message-type")).isEqualTo("event");
    assertThat(decoded.stringHeader(":event-type")).isEqualTo("chunk");
    assertThat(decoded.stringHeader(":content-type")).isEqualTo("application/json");
    assertThat(decoded.payloadAsString()).isEqualTo("{\"bytes\":\"eyJ9\"}");
  }

  private static EventStreamMessage decodeOne(String hex) {
    Frames.Collector c = new Frames.Collector().feed(HEX.parseHex(hex));
    assertThat(c.messages).hasSize(1);
    assertThat(c.decoder.hasPartial()).isFalse();
    return c.messages.get(0);
  }
}
