package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicTestSupport.accumulate;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.buf;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.compactArguments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicStreamDecoderTest {
  /** An Anthropic stream as the API sends it: thinking, text, a tool call in fragments, pings and a comment. */
  static final List<String> EVENTS = List.of(
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":100}}}",
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}",
      "event: ping\ndata: {\"type\": \"ping\"}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Paris? Météo 😀\"}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
      ": a comment the SDKs ignore",
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking\"}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\" the weather.\"}}",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\",\"input\":{}}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}",
      "event: ping\ndata: {\"type\": \"ping\"}",
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}",
      "event: message_stop\ndata: {\"type\":\"message_stop\"}");

  static final Usage START = new Usage(135, 1, 100, 10, 0, false);
  static final Usage END = new Usage(135, 89, 100, 10, 0, false);

  static final List<StreamEvent> EXPECTED = List.of(
      new StreamEvent.MessageStart("msg_01", "claude-sonnet-4-5", START),
      new StreamEvent.BlockStart(0, BlockKind.REASONING, null, null),
      new StreamEvent.Ping(),
      new StreamEvent.ReasoningDelta(0, "Paris? Météo 😀"),
      new StreamEvent.SignatureDelta(0, "EqQBCgIYAhIM"),
      new StreamEvent.BlockStop(0),
      new StreamEvent.BlockStart(1, BlockKind.TEXT, null, null),
      new StreamEvent.TextDelta(1, "Checking"),
      new StreamEvent.TextDelta(1, " the weather."),
      new StreamEvent.BlockStop(1),
      new StreamEvent.BlockStart(2, BlockKind.TOOL_CALL, "toolu_01A", "get_weather"),
      new StreamEvent.ToolArgumentsDelta(2, "{\"city\": \"Par"),
      new StreamEvent.ToolArgumentsDelta(2, "is\"}"),
      new StreamEvent.BlockStop(2),
      new StreamEvent.Ping(),
      new StreamEvent.MessageDelta(StopReason.TOOL_USE, null, END),
      new StreamEvent.MessageStop());

  static byte[] stream(List<String> events, String sep) {
    StringBuilder b = new StringBuilder();
    for (String e : events) b.append(e.replace("\n", sep)).append(sep).append(sep);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static List<StreamEvent> decodeAll(AnthropicStreamDecoder d, byte[]... pieces) {
    List<StreamEvent> out = new ArrayList<>();
    for (byte[] p : pieces) out.addAll(d.next(Buffer.buffer(p)));
    out.addAll(d.end());
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everySplitPointGivesTheSameEvents(String sep) {
    byte[] all = stream(EVENTS, sep);
    for (int cut = 0; cut <= all.length; cut++) {
      AnthropicStreamDecoder d = new AnthropicStreamDecoder();
      List<StreamEvent> events = decodeAll(d, Arrays.copyOfRange(all, 0, cut), Arrays.copyOfRange(all, cut, all.length));
      assertThat(events).as("cut at %d", cut).isEqualTo(EXPECTED);
      assertThat(d.complete()).isTrue();
      assertThat(d.usage()).isEqualTo(END);
    }
  }

  @Test
  void oneByteAtATimeGivesTheSameEvents() {
    byte[] all = stream(EVENTS, "\r\n");
    byte[][] pieces = new byte[all.length][];
    for (int i = 0; i < all.length; i++) pieces[i] = new byte[] {all[i]};
    assertThat(decodeAll(new AnthropicStreamDecoder(), pieces)).isEqualTo(EXPECTED);
  }

  @Test
  void theStreamAccumulatesToTheSameAnswerAsTheWholeMessage() {
    var whole = AnthropicCodec.decodeResponse(buf("""
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
         "content":[{"type":"thinking","thinking":"Paris? Météo 😀","signature":"EqQBCgIYAhIM"},
                    {"type":"text","text":"Checking the weather."},
                    {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city": "Paris"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":25,"output_tokens":89,"cache_creation_input_tokens":10,"cache_read_input_tokens":100}}
        """));
    var streamed = accumulate(decodeAll(new AnthropicStreamDecoder(), stream(EVENTS, "\n")));
    assertThat(compactArguments(streamed)).isEqualTo(whole);
  }

  @Test
  void usageInMessageDeltaOverwritesWhatItCarriesAndKeepsTheRest() {
    List<String> events = List.of(EVENTS.get(0),
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":7,\"input_tokens\":30,\"cache_read_input_tokens\":200}}",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}",
        EVENTS.getLast());
    List<StreamEvent> out = decodeAll(new AnthropicStreamDecoder(), stream(events, "\n"));
    assertThat(out.get(1)).isEqualTo(new StreamEvent.MessageDelta(StopReason.END_TURN, null,
        new Usage(30 + 200 + 10, 7, 200, 10, 0, false)));
    // Cumulative, not additive: the second delta replaces output 7 with 9.
    assertThat(out.get(2)).isEqualTo(new StreamEvent.MessageDelta(StopReason.MAX_TOKENS, null,
        new Usage(240, 9, 200, 10, 0, false)));
  }

  @Test
  void anErrorEventIsAFailureWithTheStatusOfItsType() {
    List<String> events = List.of(EVENTS.get(0), EVENTS.get(1),
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
        EVENTS.get(5));
    AnthropicStreamDecoder d = new AnthropicStreamDecoder();
    List<StreamEvent> out = decodeAll(d, stream(events, "\n"));
    assertThat(out).containsExactly(
        new StreamEvent.MessageStart("msg_01", "claude-sonnet-4-5", START),
        new StreamEvent.BlockStart(0, BlockKind.REASONING, null, null),
        new StreamEvent.Failure(new GatewayError(529, GatewayError.Kind.UNAVAILABLE, "Overloaded", null,
            "overloaded_error", -1)));
    assertThat(d.complete()).isFalse();
  }

  @Test
  void aStreamThatStopsEarlyEndsInA502Failure() {
    byte[] all = stream(EVENTS.subList(0, 9), "\n");
    AnthropicStreamDecoder d = new AnthropicStreamDecoder();
    List<StreamEvent> out = decodeAll(d, Arrays.copyOf(all, all.length - 7)); // cut inside the last event
    GatewayError e = ((StreamEvent.Failure) out.getLast()).error();
    assertThat(e.status()).isEqualTo(502);
    assertThat(e.kind()).isEqualTo(GatewayError.Kind.UPSTREAM);
    assertThat(e.code()).isEqualTo("bad_upstream_stream");
    assertThat(e.message()).startsWith(
        "The upstream's stream could not be read as an Anthropic stream: an event's data is not JSON (");
    assertThat(d.complete()).isFalse();

    // Cut between events: nothing half-read, but no message_stop either.
    List<StreamEvent> between = decodeAll(new AnthropicStreamDecoder(), stream(EVENTS.subList(0, 9), "\n"));
    assertThat(between.getLast()).isEqualTo(new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's stream could not be read as an Anthropic stream: the stream ended before its message_stop "
            + "event.", "bad_upstream_stream")));
  }

  @Test
  void aFinalEventWithoutItsBlankLineIsStillRead() {
    byte[] all = stream(EVENTS, "\n");
    AnthropicStreamDecoder d = new AnthropicStreamDecoder();
    assertThat(decodeAll(d, Arrays.copyOf(all, all.length - 2))).isEqualTo(EXPECTED);
    assertThat(d.complete()).isTrue();
  }

  @Test
  void redactedThinkingAndBlocksWithoutACanonicalFormAreHandled() {
    List<String> events = List.of(EVENTS.get(0),
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"}}",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}}}",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"Hi\"}}",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"sbx_ZnVuY3Rpb25zLmY6MA\",\"name\":\"f\",\"input\":{\"whole\":true}}}",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}",
        "event: some_future_event\ndata: {\"type\":\"some_future_event\"}",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}",
        EVENTS.getLast(),
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}");
    assertThat(decodeAll(new AnthropicStreamDecoder(), stream(events, "\n"))).containsExactly(
        new StreamEvent.MessageStart("msg_01", "claude-sonnet-4-5", START),
        new StreamEvent.BlockStart(0, BlockKind.REDACTED_REASONING, null, null),
        new StreamEvent.SignatureDelta(0, "EmwKAhgB"),
        new StreamEvent.BlockStop(0),
        new StreamEvent.BlockStart(1, BlockKind.TEXT, null, null),
        new StreamEvent.TextDelta(1, "Hi"),
        new StreamEvent.BlockStop(1),
        new StreamEvent.BlockStart(2, BlockKind.TOOL_CALL, "functions.f:0", "f"),
        new StreamEvent.ToolArgumentsDelta(2, "{\"whole\":true}"),
        new StreamEvent.BlockStop(2),
        new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(135, 3, 100, 10, 0, false)),
        new StreamEvent.MessageStop());
  }

  @Test
  void dataWithoutAnEventLineIsReadByItsType() {
    byte[] s = ("data: {\"type\":\"ping\"}\n\n").getBytes(StandardCharsets.UTF_8);
    assertThat(new AnthropicStreamDecoder().next(Buffer.buffer(s))).containsExactly(new StreamEvent.Ping());
  }
}
