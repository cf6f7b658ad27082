package dev.switchboard.stream.eventstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

/**
 * Our codec against AWS's Java one ({@code software.amazon.eventstream:eventstream}, the library AWS's Java
 * event-stream clients decode with): each side reads what the other writes, and both write the same bytes.
 */
class EventStreamOracleTest {
  static Stream<Arguments> messages() {
    Map<String, EventStreamMessage> all = new LinkedHashMap<>(Frames.samples());
    all.put("1 MiB payload", Frames.large());
    return all.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  /** The samples the oracle can encode: it writes byte and short headers without their value (see below). */
  static Stream<Arguments> oracleEncodable() {
    return messages().filter(a -> {
      EventStreamMessage m = (EventStreamMessage) a.get()[1];
      return m.headerNames().stream().map(m::header).noneMatch(v -> v instanceof Byte || v instanceof Short);
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void theOracleDecodesOurFrames(String name, EventStreamMessage ours) {
    MessageDecoder oracle = new MessageDecoder();
    oracle.feed(EventStreamEncoder.encode(ours).getBytes());
    List<Message> decoded = oracle.getDecodedMessages();

    assertThat(decoded).hasSize(1);
    assertThat(fromOracle(decoded.get(0).getHeaders())).isEqualTo(headers(ours));
    assertThat(decoded.get(0).getPayload()).isEqualTo(ours.payloadBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oracleEncodable")
  void weDecodeTheOraclesFramesAndWriteTheSameBytes(String name, EventStreamMessage ours) {
    byte[] oracleFrame = toBytes(new Message(toOracle(ours), ours.payloadBytes()).toByteBuffer());

    Frames.Collector c = new Frames.Collector().feed(oracleFrame);
    assertThat(c.messages).containsExactly(ours);
    assertThat(c.decoder.hasPartial()).isFalse();
    assertThat(EventStreamEncoder.encode(ours).getBytes()).isEqualTo(oracleFrame);
  }

  @Test
  void theOracleReadsAStreamOfOurFramesFedInPieces() {
    EventStreamMessage[] sent = Frames.samples().values().toArray(EventStreamMessage[]::new);
    byte[] stream = Frames.encode(sent);
    MessageDecoder oracle = new MessageDecoder();
    for (int at = 0; at < stream.length; at += 7) oracle.feed(stream, at, Math.min(7, stream.length - at));

    List<Message> decoded = oracle.getDecodedMessages();
    assertThat(decoded).hasSize(sent.length);
    for (int i = 0; i < sent.length; i++) {
      assertThat(fromOracle(decoded.get(i).getHeaders())).isEqualTo(headers(sent[i]));
      assertThat(decoded.get(i).getPayload()).isEqualTo(sent[i].payloadBytes());
    }
  }

  /**
   * Why {@link #oracleEncodable} leaves out byte and short headers: eventstream 1.0.1 writes their type byte but
   * not their value, so its frames are short by 1 and 2 bytes and no decoder (its own included) reads them back.
   * It decodes them correctly, which {@link #theOracleDecodesOurFrames} checks; the golden test pins our bytes.
   */
  @Test
  void theOracleCannotEncodeByteAndShortHeaders() {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put("b", HeaderValue.fromByte((byte) 1));
    headers.put("s", HeaderValue.fromShort((short) 1));
    byte[] oracleFrame = toBytes(new Message(headers, new byte[0]).toByteBuffer());
    byte[] ours = EventStreamEncoder.encode(
        EventStreamMessage.builder().header("b", (byte) 1).header("s", (short) 1).build()).getBytes();
    assertThat(oracleFrame).hasSize(ours.length - 3);
  }

  /** Our message's headers as a map of Java values (byte arrays as lists, so equality compares contents). */
  private static Map<String, Object> headers(EventStreamMessage m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : m.headerNames()) out.put(name, comparable(m.header(name)));
    return out;
  }

  private static Map<String, Object> fromOracle(Map<String, HeaderValue> headers) {
    Map<String, Object> out = new LinkedHashMap<>();
    headers.forEach((name, v) -> out.put(name, comparable(switch (v.getClass().getSimpleName()) {
      case "BooleanValue" -> v.getBoolean();
      case "ByteValue" -> v.getByte();
      case "ShortValue" -> v.getShort();
      case "IntegerValue" -> v.getInteger();
      case "LongValue" -> v.getLong();
      case "ByteArrayValue" -> v.getByteArray();
      case "StringValue" -> v.getString();
      case "TimestampValue" -> v.getTimestamp();
      case "UuidValue" -> v.getUuid();
      default -> throw new AssertionError("unknown oracle header value " + v.getClass());
    })));
    return out;
  }

  private static Map<String, HeaderValue> toOracle(EventStreamMessage m) {
    Map<String, HeaderValue> out = new LinkedHashMap<>();
    for (String name : m.headerNames()) {
      out.put(name, switch (m.header(name)) {
        case Boolean b -> HeaderValue.fromBoolean(b);
        case Integer i -> HeaderValue.fromInteger(i);
        case Long l -> HeaderValue.fromLong(l);
        case byte[] a -> HeaderValue.fromByteArray(a);
        case String s -> HeaderValue.fromString(s);
        case Instant t -> HeaderValue.fromTimestamp(t);
        case UUID u -> HeaderValue.fromUuid(u);
        default -> throw new AssertionError("the oracle cannot encode header " + name);
      });
    }
    return out;
  }

  private static Object comparable(Object value) {
    if (!(value instanceof byte[] bytes)) return value;
    return java.util.stream.IntStream.range(0, bytes.length).mapToObj(i -> bytes[i]).toList();
  }

  private static byte[] toBytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
