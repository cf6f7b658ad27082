package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicTestSupport.str;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.streamOf;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class AnthropicStreamEncoderTest {
  /** A rich answer: thinking with a signature, redacted thinking, text, two tool calls (one with an odd id). */
  static final ChatResponse RICH = new ChatResponse("msg_01", "upstream-model", List.of(
      new Part.Reasoning("Two cities, two calls. Ünïcödé 😀", "EqQBCgIYAhIM"),
      new Part.RedactedReasoning("EmwKAhgBEgy3va3pzix"),
      Part.Text.of("Checking Paris and Oslo."),
      new Part.ToolCall("toolu_01A", "get_weather", "{\"city\":\"Paris\",\"days\":[1,2]}", null),
      new Part.ToolCall("functions.get_weather:1", "get_weather", "{\"city\":\"Oslo\"}", null)),
      StopReason.TOOL_USE, null, new Usage(1350, 89, 1000, 100, 0, false));

  static String encodeAll(AnthropicStreamEncoder enc, List<StreamEvent> events) {
    Buffer out = Buffer.buffer();
    for (StreamEvent e : events) out.appendBuffer(enc.encode(e));
    return str(out);
  }

  /** The SSE text → (event name, data JSON) pairs, checking the grammar of PROTOCOLS.md 2.4 on the way. */
  static List<String[]> parseStrictly(String sse) {
    assertThat(sse).endsWith("\n\n");
    List<String[]> out = new ArrayList<>();
    for (String event : sse.substring(0, sse.length() - 2).split("\n\n", -1)) {
      String[] lines = event.split("\n", -1);
      assertThat(lines).as("an event line and a data line: %s", event).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      String name = lines[0].substring(7);
      JsonNode data = tree(lines[1].substring(6));
      assertThat(data.get("type").stringValue()).as("data repeats the type").isEqualTo(name);
      out.add(new String[] {name, lines[1].substring(6)});
    }
    return out;
  }

  /** Feeds our stream through the SDK's own event model and accumulator, validating every event. */
  static Message accumulateWithSdk(String sse) throws Exception {
    MessageAccumulator acc = MessageAccumulator.create();
    for (String[] e : parseStrictly(sse)) {
      if (e[0].equals("ping")) continue; // the SDK drops pings before parsing
      RawMessageStreamEvent event = ObjectMappers.jsonMapper().readValue(e[1], RawMessageStreamEvent.class);
      event.validate();
      acc.accumulate(event);
    }
    Message m = acc.message();
    m.validate();
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 1000})
  void theSdkAccumulatesOurStreamIntoOurNonStreamedMessage(int piece) throws Exception {
    String sse = encodeAll(new AnthropicStreamEncoder("my-claude"), streamOf(RICH, piece));
    Message streamed = accumulateWithSdk(sse);
    Message whole = AnthropicResponseTest.sdkMessage(AnthropicCodec.encodeResponse(RICH, "my-claude"));
    whole.validate();
    assertThat(streamed).isEqualTo(whole);
    assertThat(streamed.usage().inputTokens()).isEqualTo(250);
    assertThat(streamed.usage().outputTokens()).isEqualTo(89);
  }

  @Test
  void eachEventIsExactlyAsAnthropicSendsIt() {
    ChatResponse hello = new ChatResponse("msg_7", "u", List.of(Part.Text.of("Hi")), StopReason.END_TURN, null,
        new Usage(12, 3, 0, 0, 0, false));
    assertThat(encodeAll(new AnthropicStreamEncoder("claude"), streamOf(hello, 100))).isEqualTo("""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_7","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: ping
        data: {"type":"ping"}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}

        event: message_stop
        data: {"type":"message_stop"}

        """);
  }

  @Test
  void anUpstreamThatReportsUsageOnlyAtTheEndStillGivesTheClientItsInputTokens() throws Exception {
    // The OpenAI way: nothing known at the start, everything in the last chunk.
    List<StreamEvent> events = List.of(
        new StreamEvent.MessageStart("chatcmpl-1", "gpt", null),
        new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null),
        new StreamEvent.TextDelta(0, "ok"),
        new StreamEvent.BlockStop(0),
        new StreamEvent.MessageDelta(StopReason.MAX_TOKENS, null, new Usage(40, 2, 32, 0, 0, false)),
        new StreamEvent.MessageStop());
    Message m = accumulateWithSdk(encodeAll(new AnthropicStreamEncoder("m"), events));
    assertThat(m.id()).isEqualTo("msg_chatcmpl-1");
    assertThat(m.usage().inputTokens()).isEqualTo(8);
    assertThat(m.usage().cacheReadInputTokens()).contains(32L);
    assertThat(m.usage().outputTokens()).isEqualTo(2);
    assertThat(m.stopReason().orElseThrow().asString()).isEqualTo("max_tokens");
  }

  @Test
  void aFailureIsAnErrorEvent() {
    AnthropicStreamEncoder enc = new AnthropicStreamEncoder("m");
    enc.encode(new StreamEvent.MessageStart("msg_1", "u", null));
    String sse = str(enc.encode(new StreamEvent.Failure(GatewayError.of(529, GatewayError.Kind.UNAVAILABLE,
        "Overloaded", null))));
    assertThat(sse).isEqualTo(
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
  }

  @Test
  void aStreamThatStartsWithABlockGetsAMessageStartFirst() throws Exception {
    List<StreamEvent> events = List.of(
        new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null), new StreamEvent.TextDelta(0, "x"),
        new StreamEvent.BlockStop(0), new StreamEvent.MessageDelta(StopReason.END_TURN, null, null),
        new StreamEvent.MessageStop());
    String sse = encodeAll(new AnthropicStreamEncoder("m"), events);
    assertThat(sse).startsWith("event: message_start\n");
    assertThat(accumulateWithSdk(sse).id()).startsWith("msg_");
  }

  @Test
  void aToolCallSignatureHasNoAnthropicFormAndIsLeftOut() {
    AnthropicStreamEncoder enc = new AnthropicStreamEncoder("m");
    enc.encode(new StreamEvent.MessageStart("msg_1", "u", null));
    enc.encode(new StreamEvent.BlockStart(0, BlockKind.TOOL_CALL, "c1", "f"));
    assertThat(enc.encode(new StreamEvent.SignatureDelta(0, "gemini-thought-signature")).length()).isZero();
    assertThat(enc.encode(new StreamEvent.ToolArgumentsDelta(0, "")).length()).isZero();
  }

  @Test
  void encoderAndDecoderAreInverses() {
    List<StreamEvent> events = streamOf(RICH, 4);
    String sse = encodeAll(new AnthropicStreamEncoder("upstream-model"), events);
    AnthropicStreamDecoder dec = new AnthropicStreamDecoder();
    List<StreamEvent> back = new ArrayList<>(dec.next(io.vertx.core.buffer.Buffer.buffer(sse)));
    back.addAll(dec.end());
    assertThat(back).isEqualTo(events);
  }
}
