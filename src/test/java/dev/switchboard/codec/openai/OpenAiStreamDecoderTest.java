package dev.switchboard.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.StreamEvent.BlockStart;
import dev.switchboard.canonical.StreamEvent.BlockStop;
import dev.switchboard.canonical.StreamEvent.MessageDelta;
import dev.switchboard.canonical.StreamEvent.MessageStart;
import dev.switchboard.canonical.StreamEvent.MessageStop;
import dev.switchboard.canonical.StreamEvent.ReasoningDelta;
import dev.switchboard.canonical.StreamEvent.TextDelta;
import dev.switchboard.canonical.StreamEvent.ToolArgumentsDelta;
import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiStreamDecoderTest {
  private static final String ID = "chatcmpl-B9xK2";
  private static final String MODEL = "gpt-4o-2024-08-06";

  /** Decodes {@code body} fed in two pieces, cut at {@code cut}, then ends it. */
  private static List<StreamEvent> decode(byte[] body, int... cuts) {
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(0);
    List<StreamEvent> events = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      events.addAll(d.decode(Buffer.buffer(Arrays.copyOfRange(body, from, cut))));
      from = cut;
    }
    events.addAll(d.decode(Buffer.buffer(Arrays.copyOfRange(body, from, body.length))));
    events.addAll(d.end());
    return events;
  }

  private static List<StreamEvent> decode(String body) {
    return decode(body.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] fixture(String name, String lineEnd) {
    return Fixtures.text(name).replace("\n", lineEnd).getBytes(StandardCharsets.UTF_8);
  }

  static List<Arguments> fixturesAndLineEnds() {
    List<Arguments> out = new ArrayList<>();
    for (String name : List.of("stream-text.sse", "stream-tools-sequential.sse", "stream-tools-interleaved.sse",
        "stream-reasoning.sse")) {
      for (String sep : List.of("\n", "\r\n", "\r")) out.add(Arguments.of(name, sep));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("fixturesAndLineEnds")
  void everySplitPointAndByteAtATimeGiveTheSameEvents(String name, String sep) {
    byte[] body = fixture(name, sep);
    List<StreamEvent> whole = decode(body);
    Fixtures.assertWellFormed(whole);
    assertThat(whole.getLast()).isInstanceOf(MessageStop.class);
    assertThat(whole).isEqualTo(decode(fixture(name, "\n")));
    for (int cut = 0; cut <= body.length; cut++) {
      assertThat(decode(body, cut)).as("cut at %d", cut).isEqualTo(whole);
    }
    int[] everyByte = new int[body.length - 1];
    for (int i = 0; i < everyByte.length; i++) everyByte[i] = i + 1;
    assertThat(decode(body, everyByte)).isEqualTo(whole);
  }

  @Test
  void textStreamWithTheUsageChunk() {
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(0);
    List<StreamEvent> events = new ArrayList<>(d.decode(Buffer.buffer(Fixtures.text("stream-text.sse"))));
    assertThat(d.sawDone()).isTrue();
    events.addAll(d.end());
    assertThat(events).containsExactly(
        new MessageStart(ID, MODEL, null),
        new BlockStart(0, BlockKind.TEXT, null, null),
        new TextDelta(0, "Hello"),
        new TextDelta(0, ", w\u00f6rld \u2603 \"usage\":{"),
        new TextDelta(0, "€ ok"),
        new BlockStop(0),
        new MessageDelta(StopReason.END_TURN, null, new Usage(12, 5, 4, 0, 2, false)),
        new MessageStop());
  }

  @Test
  void sequentialParallelCallsStreamAsTheyArrive() {
    assertThat(decode(Fixtures.text("stream-tools-sequential.sse"))).containsExactly(
        new MessageStart(ID, MODEL, null),
        new BlockStart(0, BlockKind.TOOL_CALL, "call_paris", "get_weather"),
        new ToolArgumentsDelta(0, "{\"ci"),
        new ToolArgumentsDelta(0, "ty\": \"Paris\"}"),
        new BlockStop(0),
        new BlockStart(1, BlockKind.TOOL_CALL, "call_tokyo", "get_weather"),
        new ToolArgumentsDelta(1, "{\"city\": "),
        new ToolArgumentsDelta(1, "\"Tokyo\"}"),
        new BlockStop(1),
        new MessageDelta(StopReason.TOOL_USE, null, new Usage(80, 40, 0, 0, 0, false)),
        new MessageStop());
  }

  @Test
  void interleavedCallsEachKeepTheirOwnFragments() {
    // The second call waits while the first is open; the first closes when its JSON does (braces inside its
    // string do not count), and the second then starts with what it had received. finish_reason "stop" with
    // calls is a tool use.
    assertThat(decode(Fixtures.text("stream-tools-interleaved.sse"))).containsExactly(
        new MessageStart(ID, MODEL, null),
        new BlockStart(0, BlockKind.TEXT, null, null),
        new TextDelta(0, "Checking both."),
        new BlockStop(0),
        new BlockStart(1, BlockKind.TOOL_CALL, "call_a", "lookup"),
        new ToolArgumentsDelta(1, "{\"q\": \"}{"),
        new ToolArgumentsDelta(1, "\\\"\", \"n\": [1,"),
        new ToolArgumentsDelta(1, "2]}"),
        new BlockStop(1),
        new BlockStart(2, BlockKind.TOOL_CALL, "call_b", "get_time"),
        new ToolArgumentsDelta(2, "{\"tz\": \"UTC\"}"),
        new BlockStop(2),
        new MessageDelta(StopReason.TOOL_USE, null, new Usage(50, 30, 10, 0, 0, false)),
        new MessageStop());
  }

  @Test
  void reasoningContentBecomesAReasoningBlockBeforeTheText() {
    assertThat(decode(Fixtures.text("stream-reasoning.sse"))).containsExactly(
        new MessageStart("r1", "deepseek-reasoner", null),
        new BlockStart(0, BlockKind.REASONING, null, null),
        new ReasoningDelta(0, "Two plus two"),
        new ReasoningDelta(0, " is four."),
        new BlockStop(0),
        new BlockStart(1, BlockKind.TEXT, null, null),
        new TextDelta(1, "4"),
        new BlockStop(1),
        new MessageDelta(StopReason.END_TURN, null, new Usage(9, 20, 0, 0, 15, false)),
        new MessageStop());
  }

  @Test
  void aCallNumberedLikeTheOneBeforeButWithANewIdIsANewCall() {
    // Some servers number every call 0.
    String body = chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
        + "\"arguments\":\"{\\\"a\\\":\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\","
        + "\"arguments\":\"{}\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\"}}]}", "tool_calls")
        + "data: [DONE]\n\n";
    List<StreamEvent> events = decode(body);
    Fixtures.assertWellFormed(events);
    assertThat(events).filteredOn(e -> e instanceof BlockStart).containsExactly(
        new BlockStart(0, BlockKind.TOOL_CALL, "c1", "f"), new BlockStart(1, BlockKind.TOOL_CALL, "c2", "g"));
    assertThat(events).contains(new ToolArgumentsDelta(0, "{\"a\":"), new ToolArgumentsDelta(1, "{}"));
  }

  @Test
  void withoutAUsageChunkTheUsageIsEstimatedAndFlagged() {
    String body = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)
        + chunk("{\"content\":\"" + "abcd".repeat(10) + "\"}", null)
        + chunk("{}", "length")
        + "data: [DONE]\n\n";
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(33);
    List<StreamEvent> events = new ArrayList<>(d.decode(Buffer.buffer(body)));
    events.addAll(d.end());
    assertThat(events).contains(new MessageDelta(StopReason.MAX_TOKENS, null, new Usage(33, 10, 0, 0, 0, true)));
  }

  @Test
  void anUpstreamErrorEventEndsTheStreamWithAFailure() {
    String body = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)
        + chunk("{\"content\":\"Hel\"}", null)
        + "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,"
        + "\"code\":\"overloaded\"}}\n\n"
        + chunk("{\"content\":\"ignored\"}", null);
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(0);
    List<StreamEvent> events = new ArrayList<>(d.decode(Buffer.buffer(body)));
    events.addAll(d.end());
    Fixtures.assertWellFormed(events);
    StreamEvent.Failure failure = (StreamEvent.Failure) events.getLast();
    assertThat(failure.error().message()).contains("The server had an error");
    assertThat(failure.error().code()).isEqualTo("overloaded");
    assertThat(failure.error().status()).isEqualTo(502);
    assertThat(d.sawDone()).isFalse();
  }

  @Test
  void anEventNamedErrorIsAFailureToo() {
    List<StreamEvent> events = decode("event: error\ndata: {\"message\":\"quota exceeded\"}\n\n");
    assertThat(events).singleElement().isInstanceOf(StreamEvent.Failure.class);
    assertThat(((StreamEvent.Failure) events.getFirst()).error().message()).contains("quota exceeded");
  }

  @Test
  void aStreamCutBeforeTheFinishIsAFailure() {
    List<StreamEvent> events = decode(chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", null));
    Fixtures.assertWellFormed(events);
    assertThat(((StreamEvent.Failure) events.getLast()).error().code()).isEqualTo("upstream_truncated");
  }

  @Test
  void aStreamThatFinishedButNeverSaidDoneStillEndsNormally() {
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(0);
    List<StreamEvent> events = new ArrayList<>(d.decode(Buffer.buffer(
        chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", null) + chunk("{}", "stop"))));
    events.addAll(d.end());
    Fixtures.assertWellFormed(events);
    assertThat(events.getLast()).isInstanceOf(MessageStop.class);
    assertThat(d.sawDone()).isFalse();
  }

  @Test
  void anUnterminatedDoneIsStillDone() {
    OpenAiStreamDecoder d = new OpenAiStreamDecoder(0);
    List<StreamEvent> events = new ArrayList<>(d.decode(Buffer.buffer(
        chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", "stop") + "data: [DONE]")));
    events.addAll(d.end());
    assertThat(d.sawDone()).isTrue();
    assertThat(events.getLast()).isInstanceOf(MessageStop.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"data: {not json\n\n", "data: [1,2]\n\n"})
  void unreadableEventsAreFailures(String event) {
    List<StreamEvent> events = decode(chunk("{\"content\":\"x\"}", null) + event);
    assertThat(((StreamEvent.Failure) events.getLast()).error().code()).isEqualTo("upstream_invalid_stream");
  }

  @Test
  void argumentsAfterACallClosedOnItsCompleteJsonAreAFailure() {
    String body = chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\"}},"
        + "{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"}\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\" \"}}]}", null) // white space: fine
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"x\"}}]}", null);
    List<StreamEvent> events = decode(body);
    Fixtures.assertWellFormed(events);
    assertThat(((StreamEvent.Failure) events.getLast()).error().message()).contains("tool call 0");
  }

  @Test
  void otherChoicesAreIgnored() {
    String body = chunk("{\"role\":\"assistant\",\"content\":\"zero\"}", null)
        + chunk("{\"role\":\"assistant\",\"content\":\"one\"}", null).replace("\"index\":0", "\"index\":1")
        + chunk("{}", "stop") + "data: [DONE]\n\n";
    assertThat(decode(body).stream().filter(e -> e instanceof TextDelta).map(e -> ((TextDelta) e).text())
        .collect(Collectors.joining())).isEqualTo("zero");
  }

  @Test
  void anEmptyStreamStillStartsAndStops() {
    List<StreamEvent> events = decode("data: [DONE]\n\n");
    Fixtures.assertWellFormed(events);
    assertThat(events).hasSize(3);
  }

  private static String chunk(String delta, String finish) {
    return "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + MODEL
        + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
        + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
  }
}
