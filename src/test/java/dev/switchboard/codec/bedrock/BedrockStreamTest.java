package dev.switchboard.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.eventstream.EventStreamDecoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BedrockStreamTest {
  static final Usage USAGE = new Usage(120, 30, 100, 5, 0, false);

  static final List<StreamEvent> EVENTS = List.of(
      new StreamEvent.MessageStart(null, null, null),
      new StreamEvent.BlockStart(0, BlockKind.REASONING, null, null),
      new StreamEvent.ReasoningDelta(0, "Thinking…"),
      new StreamEvent.SignatureDelta(0, "sig"),
      new StreamEvent.BlockStop(0),
      new StreamEvent.BlockStart(1, BlockKind.TEXT, null, null),
      new StreamEvent.TextDelta(1, "Héllo "),
      new StreamEvent.TextDelta(1, "wörld"),
      new StreamEvent.BlockStop(1),
      new StreamEvent.BlockStart(2, BlockKind.TOOL_CALL, "tooluse_1", "get_weather"),
      new StreamEvent.ToolArgumentsDelta(2, "{\"city\":"),
      new StreamEvent.ToolArgumentsDelta(2, "\"Paris\"}"),
      new StreamEvent.BlockStop(2),
      new StreamEvent.MessageDelta(StopReason.TOOL_USE, null, USAGE),
      new StreamEvent.MessageStop());

  static Buffer encodeAll(List<StreamEvent> events) {
    BedrockStreamEncoder enc = new BedrockStreamEncoder(() -> 42);
    Buffer out = Buffer.buffer();
    for (StreamEvent e : events) out.appendBuffer(enc.encode(e));
    return out;
  }

  static List<EventStreamMessage> frames(Buffer bytes) {
    List<EventStreamMessage> out = new ArrayList<>();
    new EventStreamDecoder(out::add).feed(bytes);
    return out;
  }

  @Test
  void framesFollowTheConverseStreamGrammar() {
    List<String> seq = new ArrayList<>();
    List<EventStreamMessage> fs = frames(encodeAll(EVENTS));
    for (EventStreamMessage m : fs) seq.add(m.stringHeader(EventStreamMessage.EVENT_TYPE));
    assertThat(seq).containsExactly("messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop",
        "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "contentBlockStart", "contentBlockDelta",
        "contentBlockDelta", "contentBlockStop", "messageStop", "metadata");
    assertThat(BedrockCodecTest.tree(fs.get(7).payload())).isEqualTo(BedrockCodecTest.tree(
        "{'contentBlockIndex':2,'start':{'toolUse':{'toolUseId':'tooluse_1','name':'get_weather'}}}"));
    assertThat(BedrockCodecTest.tree(fs.get(8).payload())).isEqualTo(BedrockCodecTest.tree(
        "{'contentBlockIndex':2,'delta':{'toolUse':{'input':'{\\'city\\':'}}}".replace("\\'", "\\\"")));
    assertThat(BedrockCodecTest.tree(fs.get(11).payload())).isEqualTo(BedrockCodecTest.tree("{'stopReason':'tool_use'}"));
    assertThat(BedrockCodecTest.tree(fs.get(12).payload())).isEqualTo(BedrockCodecTest.tree(
        "{'usage':{'inputTokens':15,'outputTokens':30,'totalTokens':150,'cacheReadInputTokens':100,"
            + "'cacheWriteInputTokens':5},'metrics':{'latencyMs':42}}"));
  }

  @Test
  void encoderOutputDecodesToTheSameEvents() {
    BedrockStreamDecoder dec = new BedrockStreamDecoder();
    List<StreamEvent> got = new ArrayList<>(dec.next(encodeAll(EVENTS)));
    got.addAll(dec.end());
    assertThat(got).isEqualTo(EVENTS);
    assertThat(dec.complete()).isTrue();
    assertThat(dec.usage()).isEqualTo(USAGE);
  }

  @Test
  void splitAtEveryByteBoundaryDecodesIdentically() {
    Buffer all = encodeAll(EVENTS);
    for (int cut = 0; cut <= all.length(); cut++) {
      BedrockStreamDecoder dec = new BedrockStreamDecoder();
      List<StreamEvent> got = new ArrayList<>(dec.next(all.getBuffer(0, cut)));
      got.addAll(dec.next(all.getBuffer(cut, all.length())));
      got.addAll(dec.end());
      assertThat(got).as("cut at %d", cut).isEqualTo(EVENTS);
    }
    // and byte by byte
    BedrockStreamDecoder dec = new BedrockStreamDecoder();
    List<StreamEvent> got = new ArrayList<>();
    for (int i = 0; i < all.length(); i++) got.addAll(dec.next(all.getBuffer(i, i + 1)));
    assertThat(got).isEqualTo(EVENTS);
  }

  @Test
  void stopSequenceAndRedactedReasoningSurvive() {
    List<StreamEvent> events = List.of(
        new StreamEvent.MessageStart(null, null, null),
        new StreamEvent.BlockStart(0, BlockKind.REDACTED_REASONING, null, null),
        new StreamEvent.SignatureDelta(0, "ZW5j"),
        new StreamEvent.BlockStop(0),
        new StreamEvent.BlockStart(1, BlockKind.TOOL_CALL, "call 1", "noargs"),
        new StreamEvent.ToolArgumentsDelta(1, "{}"),
        new StreamEvent.BlockStop(1),
        new StreamEvent.MessageDelta(StopReason.STOP_SEQUENCE, "END", USAGE),
        new StreamEvent.MessageStop());
    BedrockStreamDecoder dec = new BedrockStreamDecoder();
    // The encoder gets the tool call without its "{}" fragment and supplies it.
    List<StreamEvent> input = new ArrayList<>(events);
    input.remove(5);
    assertThat(dec.next(encodeAll(input))).isEqualTo(events);
  }

  @Test
  void failuresBecomeExceptionFramesAndBack() {
    for (int status : new int[] {429, 503, 500, 400, 424}) {
      GatewayError err = GatewayError.of(status, GatewayError.Kind.UPSTREAM, "boom " + status, null);
      Buffer frame = BedrockErrorFormat.INSTANCE.streamEvent(err);
      EventStreamMessage m = frames(frame).getFirst();
      assertThat(m.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("exception");
      assertThat(m.stringHeader(EventStreamMessage.EXCEPTION_TYPE)).isEqualTo(switch (status) {
        case 429 -> "throttlingException";
        case 503 -> "serviceUnavailableException";
        case 500 -> "internalServerException";
        case 400 -> "validationException";
        default -> "modelStreamErrorException";
      });
      BedrockStreamDecoder dec = new BedrockStreamDecoder();
      Buffer stream = encodeAll(EVENTS.subList(0, 3)).appendBuffer(
          new BedrockStreamEncoder(() -> 1).encode(new StreamEvent.Failure(err)));
      List<StreamEvent> got = dec.next(stream);
      StreamEvent.Failure f = (StreamEvent.Failure) got.getLast();
      assertThat(f.error().status()).isEqualTo(status);
      assertThat(f.error().message()).isEqualTo("boom " + status);
      assertThat(dec.end()).isEmpty();
    }
  }

  @Test
  void truncatedOrCorruptStreamsFail() {
    Buffer all = encodeAll(EVENTS);
    BedrockStreamDecoder cut = new BedrockStreamDecoder();
    cut.next(all.getBuffer(0, all.length() / 2));
    List<StreamEvent> end = cut.end();
    assertThat(end).singleElement().isInstanceOf(StreamEvent.Failure.class);
    assertThat(((StreamEvent.Failure) end.getFirst()).error().status()).isEqualTo(502);

    byte[] bytes = all.getBytes();
    bytes[20] ^= 1;
    List<StreamEvent> bad = new BedrockStreamDecoder().next(Buffer.buffer(bytes));
    assertThat(bad.getLast()).isInstanceOf(StreamEvent.Failure.class);

    // messageStop without metadata: complete, usage unknown
    BedrockStreamDecoder noMeta = new BedrockStreamDecoder();
    Buffer upToStop = Buffer.buffer();
    List<EventStreamMessage> fs = frames(all);
    for (EventStreamMessage m : fs.subList(0, fs.size() - 1)) {
      upToStop.appendBuffer(dev.switchboard.stream.eventstream.EventStreamEncoder.encode(m));
    }
    List<StreamEvent> got = new ArrayList<>(noMeta.next(upToStop));
    got.addAll(noMeta.end());
    assertThat(got.get(got.size() - 2)).isEqualTo(new StreamEvent.MessageDelta(StopReason.TOOL_USE, null, null));
    assertThat(got.getLast()).isEqualTo(new StreamEvent.MessageStop());
  }

  @Test
  void realServicePaddingAndUnknownEventsAreIgnored() {
    Buffer b = Buffer.buffer()
        .appendBuffer(BedrockStreamEncoder.frame("messageStart", g -> {
          g.writeStringProperty("p", "abcdef");
          g.writeStringProperty("role", "assistant");
        }))
        .appendBuffer(BedrockStreamEncoder.frame("somethingNew", g -> { }))
        .appendBuffer(BedrockStreamEncoder.frame("contentBlockDelta", g -> {
          g.writeNumberProperty("contentBlockIndex", 0);
          g.writeName("delta");
          g.writeStartObject();
          g.writeStringProperty("text", "hi");
          g.writeEndObject();
          g.writeStringProperty("p", "xyz");
        }));
    assertThat(new BedrockStreamDecoder().next(b)).containsExactly(new StreamEvent.MessageStart(null, null, null),
        new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null), new StreamEvent.TextDelta(0, "hi"));
  }
}
