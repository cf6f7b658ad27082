package dev.switchboard.stream.eventstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.stream.eventstream.EventStreamDecoder.MalformedFrameException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventStreamDecoderTest {
  private static final List<EventStreamMessage> SENT = List.copyOf(Frames.samples().values());
  private static final byte[] STREAM = Frames.encode(SENT.toArray(EventStreamMessage[]::new));

  /** Offsets in {@link #STREAM} where a frame ends. */
  private static final List<Integer> ENDS = frameEnds();

  private static List<Integer> frameEnds() {
    List<Integer> ends = new ArrayList<>();
    int at = 0;
    for (EventStreamMessage m : SENT) ends.add(at += EventStreamEncoder.encode(m).length());
    return ends;
  }

  @Test
  void oneChunkGivesEveryMessageInOrder() {
    Frames.Collector c = new Frames.Collector().feed(STREAM);
    assertThat(c.messages).containsExactlyElementsOf(SENT);
    assertThat(c.decoder.hasPartial()).isFalse();
  }

  @Test
  void everySplitPointGivesTheSameMessages() {
    for (int cut = 0; cut <= STREAM.length; cut++) {
      Frames.Collector c = new Frames.Collector().feed(STREAM, 0, cut);
      int whole = framesEndingBy(cut);
      // After the first piece: every frame it completes, and a partial frame exactly when it stops mid-frame.
      assertThat(c.messages).as("cut at %d", cut).containsExactlyElementsOf(SENT.subList(0, whole));
      assertThat(c.decoder.hasPartial()).as("cut at %d", cut).isEqualTo(cut > 0 && !ENDS.contains(cut));

      c.feed(STREAM, cut, STREAM.length);
      assertThat(c.messages).as("cut at %d", cut).containsExactlyElementsOf(SENT);
      assertThat(c.decoder.hasPartial()).as("cut at %d", cut).isFalse();
    }
  }

  @Test
  void byteAtATimeEmitsEachMessageOnItsLastByte() {
    Frames.Collector c = new Frames.Collector();
    for (int i = 0; i < STREAM.length; i++) {
      c.feed(STREAM, i, i + 1);
      assertThat(c.messages).as("after byte %d", i).hasSize(framesEndingBy(i + 1));
    }
    assertThat(c.messages).containsExactlyElementsOf(SENT);
    assertThat(c.decoder.hasPartial()).isFalse();
  }

  @Test
  void aLargeFrameArrivingInNetworkSizedPiecesIsWhole() {
    EventStreamMessage large = Frames.large();
    byte[] stream = Frames.encode(large, SENT.get(0), large);
    Frames.Collector c = new Frames.Collector();
    for (int at = 0; at < stream.length; at += 16 * 1024) c.feed(stream, at, Math.min(stream.length, at + 16 * 1024));
    assertThat(c.messages).containsExactly(large, SENT.get(0), large);
  }

  @Test
  void emptyChunksChangeNothing() {
    Frames.Collector c = new Frames.Collector();
    c.decoder.feed(Buffer.buffer());
    assertThat(c.decoder.hasPartial()).isFalse();
    c.feed(STREAM, 0, 5);
    c.decoder.feed(Buffer.buffer());
    c.feed(STREAM, 5, STREAM.length);
    assertThat(c.messages).containsExactlyElementsOf(SENT);
  }

  @Test
  void aStreamCutOffAnywhereInAFrameLeavesAPartialFrame() {
    byte[] one = Frames.encode(SENT.get(0));
    for (int keep = 1; keep < one.length; keep++) {
      Frames.Collector c = new Frames.Collector().feed(one, 0, keep);
      assertThat(c.messages).isEmpty();
      assertThat(c.decoder.hasPartial()).as("%d of %d bytes", keep, one.length).isTrue();
    }
    assertThat(new Frames.Collector().decoder.hasPartial()).isFalse();
  }

  /** Flips each byte of the second frame in turn; CRC-32 catches every single-byte error. */
  @Test
  void aFlippedByteAnywhereIsCaughtByTheChecksumThatCoversIt() {
    byte[] first = Frames.encode(SENT.get(0));
    byte[] second = Frames.encode(SENT.get(5)); // all header types, and a payload
    for (int i = 0; i < second.length; i++) {
      byte[] bad = second.clone();
      bad[i] ^= (byte) 0xFF;
      String region = i < 8 ? "prelude" : i < 12 ? "prelude CRC" : i < second.length - 4 ? "headers/payload" : "CRC";
      String expected = i < 12 ? "prelude CRC mismatch" : "message CRC mismatch";

      Frames.Collector c = new Frames.Collector();
      assertThatThrownBy(() -> c.feed(Frames.concat(first, bad))).as("flipped byte %d (%s)", i, region)
          .isInstanceOf(MalformedFrameException.class)
          .hasMessageStartingWith("event-stream frame 2 at byte " + first.length + ": " + expected);
      assertThat(c.messages).containsExactly(SENT.get(0));
    }
  }

  @Test
  void aChecksumMismatchSaysWhatTheFrameClaimedAndWhatWasComputed() {
    byte[] frame = Frames.encode(SENT.get(0));
    frame[frame.length - 1] ^= 1;
    long claimed = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(frame).getInt(frame.length - 4));
    long computed = Frames.crc(frame, 0, frame.length - 4);
    assertThatThrownBy(() -> new Frames.Collector().feed(frame))
        .hasMessage("event-stream frame 1 at byte 0: message CRC mismatch (frame says 0x%08x, computed 0x%08x)",
            claimed, computed);
  }

  @ParameterizedTest(name = "total {0}, headers {1}")
  @CsvSource(delimiter = '|', textBlock = """
      0          | 0      | total length 0 out of range (expected: 16..16777216)
      15         | 0      | total length 15 out of range (expected: 16..16777216)
      16777217   | 0      | total length 16777217 out of range (expected: 16..16777216)
      4294967295 | 0      | total length 4294967295 out of range (expected: 16..16777216)
      200000     | 131073 | headers length 131073 out of range (expected: 0..131072)
      200000     | 4294967295 | headers length 4294967295 out of range (expected: 0..131072)
      20         | 5      | headers length 5 does not fit in a 20-byte frame (expected: at most 4)
      """)
  void lengthsOutOfRangeAreRejectedFromThePreludeAlone(long total, long headers, String problem) {
    Frames.Collector c = new Frames.Collector();
    assertThatThrownBy(() -> c.feed(Frames.prelude(total, headers)))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("event-stream frame 1 at byte 0: " + problem);
  }

  /** One frame at both of AWS's limits: 16 MiB in all, 128 KiB of it headers. */
  @Test
  void aFrameAtTheLimitsIsAccepted() {
    int last = Framing.MAX_HEADERS - 3 * (5 + 32767) - 5; // four byte-array headers filling the block exactly
    byte[] headers = Frames.concat(byteArrayHeader("a", 32767), byteArrayHeader("b", 32767),
        byteArrayHeader("c", 32767), byteArrayHeader("d", last));
    assertThat(headers).hasSize(Framing.MAX_HEADERS);
    byte[] payload = new byte[Framing.MAX_TOTAL - 16 - Framing.MAX_HEADERS];
    byte[] frame = Frames.frame(headers, payload);
    assertThat(frame).hasSize(Framing.MAX_TOTAL);

    EventStreamMessage built = EventStreamMessage.builder().header("a", new byte[32767]).header("b", new byte[32767])
        .header("c", new byte[32767]).header("d", new byte[last]).payload(payload).build();
    assertThat(EventStreamEncoder.encode(built).getBytes()).isEqualTo(frame);
    assertThat(new Frames.Collector().feed(frame).messages).containsExactly(built);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      0178 0a                 | header 'x' has unknown value type 10 (expected: 0..9)
      0178 ff                 | header 'x' has unknown value type 255 (expected: 0..9)
      0178 04 0000            | header 'x' runs past the end of the header block (needs 4 more bytes, 2 left)
      0178 07 0005 6162       | header 'x' runs past the end of the header block (needs 5 more bytes, 2 left)
      0178 06 00              | header 'x' runs past the end of the header block (needs 2 more bytes, 1 left)
      0178 09 0011223344      | header 'x' runs past the end of the header block (needs 16 more bytes, 5 left)
      056162                  | header 1: its name and type run past the end of the header block (needs 6 more bytes, 2 left)
      0178 00 0179            | header 2: its name and type run past the end of the header block (needs 2 more bytes, 1 left)
      """)
  void aHeaderBlockThatDoesNotParseIsRejected(String hex, String problem) {
    byte[] headers = java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
    Frames.Collector c = new Frames.Collector();
    assertThatThrownBy(() -> c.feed(Frames.frame(headers, "{}".getBytes(UTF_8))))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("event-stream frame 1 at byte 0: " + problem);
  }

  @Test
  void afterAFailureTheDecoderStaysStopped() {
    byte[] bad = Frames.encode(SENT.get(0));
    bad[20] ^= 1;
    Frames.Collector c = new Frames.Collector();
    MalformedFrameException failure = org.junit.jupiter.api.Assertions.assertThrows(MalformedFrameException.class,
        () -> c.feed(bad));
    assertThat(c.decoder.hasPartial()).isFalse();
    assertThatThrownBy(() -> c.feed(STREAM))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped after an earlier failure")
        .hasCause(failure);
    assertThat(c.messages).isEmpty();
  }

  @Test
  void aThrowingHandlerStopsTheDecoderAndTheExceptionReachesTheCaller() {
    List<EventStreamMessage> seen = new ArrayList<>();
    RuntimeException boom = new RuntimeException("handler failed");
    EventStreamDecoder decoder = new EventStreamDecoder(m -> {
      seen.add(m);
      if (seen.size() == 2) throw boom;
    });
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(STREAM))).isSameAs(boom);
    assertThat(seen).containsExactlyElementsOf(SENT.subList(0, 2));
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(STREAM))).isInstanceOf(IllegalStateException.class)
        .hasCause(boom);
  }

  @Test
  void aRepeatedHeaderNameKeepsItsFirstPlaceAndTakesTheLastValue() {
    byte[] headers = Frames.concat(Frames.stringHeader("x", "first"), Frames.stringHeader("y", "why"),
        Frames.stringHeader("x", "last"));
    EventStreamMessage m = new Frames.Collector().feed(Frames.frame(headers, new byte[0])).messages.get(0);
    assertThat(m.headerNames()).containsExactly("x", "y");
    assertThat(m.stringHeader("x")).isEqualTo("last");
  }

  /** The builder refuses these so every AWS client can read what we send, but they are legal on the wire. */
  @Test
  void wireLegalValuesTheBuilderRefusesAreStillRead() {
    String longName = "n".repeat(255);
    byte[] headers = Frames.concat(Frames.stringHeader("empty", ""), Frames.header("none", 6, (byte) 0, (byte) 0),
        Frames.stringHeader(longName, "v"), Frames.stringHeader("big", "z".repeat(65535)));
    EventStreamMessage m = new Frames.Collector().feed(Frames.frame(headers, new byte[0])).messages.get(0);
    assertThat(m.stringHeader("empty")).isEmpty();
    assertThat(m.header("none")).isEqualTo(new byte[0]);
    assertThat(m.stringHeader(longName)).isEqualTo("v");
    assertThat(m.stringHeader("big")).hasSize(65535);
  }

  private static int framesEndingBy(int fed) {
    return (int) ENDS.stream().filter(end -> end <= fed).count();
  }

  /** A type-6 header of {@code length} zero bytes, as raw bytes. */
  private static byte[] byteArrayHeader(String name, int length) {
    return Frames.header(name, 6, java.nio.ByteBuffer.allocate(2 + length).putShort((short) length).array());
  }
}
