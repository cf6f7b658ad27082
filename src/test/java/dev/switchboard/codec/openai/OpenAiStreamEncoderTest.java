package dev.switchboard.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OpenAiStreamEncoderTest {
  private static final JsonMapper SDK = ObjectMappers.jsonMapper();
  private static final long CREATED = 1_730_000_000L;
  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.withClock(InstantSource.fixed(Instant.ofEpochSecond(CREATED)));
  private static final Usage USAGE = new Usage(120, 35, 100, 0, 7, false);

  /** The SSE bytes split into events; asserts every event ends with a blank line and has one data line. */
  private static List<String> events(Buffer sse) {
    String all = sse.toString(StandardCharsets.UTF_8);
    assertThat(all).endsWith("\n\n");
    List<String> out = new ArrayList<>();
    for (String event : all.substring(0, all.length() - 2).split("\n\n", -1)) {
      assertThat(event).startsWith("data: ").doesNotContain("\n");
      out.add(event.substring("data: ".length()));
    }
    return out;
  }

  private static Buffer encode(List<StreamEvent> events, boolean includeUsage) {
    return CODEC.streamEncoder("client-model", includeUsage).encode(events);
  }

  static List<ChatResponse> answers() {
    return List.of(
        new ChatResponse("msg_text", "m", List.of(Part.Text.of("Hello, wörld ☃ — \"quoted\"\n")), StopReason.END_TURN,
            null, USAGE),
        new ChatResponse("msg_tools", "m", List.of(
            new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\",\"unit\":\"c\"}", null),
            new Part.ToolCall("call_2", "get_time", "{\"tz\":\"Europe/Paris\"}", null)), StopReason.TOOL_USE, null, USAGE),
        new ChatResponse("msg_mixed", "m", List.of(Part.Text.of("Let me look."),
            new Part.ToolCall("toolu_01", "lookup", "{\"q\":\"x\"}", null)), StopReason.TOOL_USE, null, USAGE),
        new ChatResponse("msg_len", "m", List.of(Part.Text.of("cut sho")), StopReason.MAX_TOKENS, null, USAGE),
        new ChatResponse("msg_empty", "m", List.of(), StopReason.END_TURN, null, USAGE),
        new ChatResponse("msg_thought", "m", List.of(new Part.Reasoning("I think.", "sig"), Part.Text.of("Yes.")),
            StopReason.END_TURN, null, USAGE),
        new ChatResponse("msg_only_thought", "m", List.of(new Part.Reasoning("Hmm.", null)), StopReason.MAX_TOKENS,
            null, USAGE),
        new ChatResponse("msg_gemini", "m", List.of(new Part.ToolCall("c", "f", "{}", "thought-sig")),
            StopReason.END_TURN, null, USAGE));
  }

  @ParameterizedTest
  @MethodSource("answers")
  void theSdkAccumulatesTheStreamIntoTheSameCompletionAsThePlainAnswer(ChatResponse answer) throws Exception {
    for (boolean includeUsage : new boolean[] {true, false}) {
      ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
      List<String> events = events(encode(CanonicalStreams.of(answer, 3), includeUsage));
      assertThat(events.getLast()).isEqualTo("[DONE]");
      for (String data : events.subList(0, events.size() - 1)) {
        acc.accumulate(SDK.readValue(data, ChatCompletionChunk.class).validate());
      }
      ChatCompletion streamed = acc.chatCompletion().validate();
      ChatCompletion plain = SDK.readValue(CODEC.encodeResponse(answer, "client-model").getBytes(),
          ChatCompletion.class).validate();
      JsonNode expected = normalized(plain, includeUsage);
      assertThat(normalized(streamed, includeUsage)).as("include_usage %s", includeUsage).isEqualTo(expected);
    }
  }

  /**
   * The completion as JSON, minus what a stream cannot reproduce: usage when it was not asked for, an empty
   * tool_calls list (the accumulator always builds one) and reasoning_content (the accumulator keeps the last
   * fragment of an unknown field, not their concatenation; checked on its own below).
   */
  private static JsonNode normalized(ChatCompletion c, boolean withUsage) {
    ObjectNode json = SDK.valueToTree(c);
    if (!withUsage) json.remove("usage");
    for (JsonNode choice : json.withArray("choices")) {
      ObjectNode message = (ObjectNode) choice.get("message");
      if (message.path("tool_calls") instanceof ArrayNode a && a.isEmpty()) message.remove("tool_calls");
      message.remove("reasoning_content");
    }
    return json;
  }

  @Test
  void chunksAreShapedAsPROTOCOLS13Says() throws Exception {
    List<StreamEvent> stream = CanonicalStreams.of(answers().get(2), 4);
    List<String> events = events(encode(stream, true));
    List<JsonNode> chunks = new ArrayList<>();
    for (String data : events.subList(0, events.size() - 1)) chunks.add(SDK.readTree(data));
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.get("id").asText()).isEqualTo("msg_mixed");
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.get("created").isIntegralNumber()).isTrue();
      assertThat(c.get("created").asLong()).isEqualTo(CREATED);
      assertThat(c.get("model").asText()).isEqualTo("client-model");
    });
    JsonNode first = chunks.getFirst().at("/choices/0");
    assertThat(first.get("delta").toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"\"}");
    assertThat(first.get("finish_reason").isNull()).isTrue();
    JsonNode call = chunks.stream().filter(c -> c.at("/choices/0/delta/tool_calls").isArray()).findFirst()
        .orElseThrow().at("/choices/0/delta/tool_calls/0");
    assertThat(call.toString()).isEqualTo("{\"index\":0,\"id\":\"toolu_01\",\"type\":\"function\","
        + "\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}");
    JsonNode finish = chunks.get(chunks.size() - 2);
    assertThat(finish.at("/choices/0/delta").toString()).isEqualTo("{}");
    assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode usage = chunks.getLast();
    assertThat(usage.get("choices").toString()).isEqualTo("[]");
    assertThat(usage.get("usage").toString()).isEqualTo("{\"prompt_tokens\":120,\"completion_tokens\":35,"
        + "\"total_tokens\":155,\"prompt_tokens_details\":{\"cached_tokens\":100},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":7}}");
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> {
      assertThat(c.has("usage")).isTrue();
      assertThat(c.get("usage").isNull()).isTrue();
    });
  }

  @Test
  void withoutIncludeUsageThereIsNoUsageChunkAndNoUsageField() throws Exception {
    List<String> events = events(encode(CanonicalStreams.of(answers().getFirst(), 5), false));
    assertThat(events.getLast()).isEqualTo("[DONE]");
    for (String data : events.subList(0, events.size() - 1)) {
      JsonNode c = SDK.readTree(data);
      assertThat(c.has("usage")).isFalse();
      assertThat(c.get("choices").size()).isEqualTo(1);
    }
  }

  @Test
  void theBytesOfAShortStream() {
    List<StreamEvent> stream = List.of(new StreamEvent.MessageStart("chatcmpl-1", "up", null),
        new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null), new StreamEvent.TextDelta(0, "Hi"),
        new StreamEvent.BlockStop(0), new StreamEvent.Ping(),
        new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(3, 1, 0, 0, 0, false)),
        new StreamEvent.MessageStop());
    String head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
        + "\"model\":\"client-model\",\"service_tier\":\"default\",\"system_fingerprint\":null,\"choices\":[{\"index\":0,";
    assertThat(encode(stream, true).toString(StandardCharsets.UTF_8)).isEqualTo(
        head + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
            + head + "\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
            + ": ping\n\n"
            + head + "\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
            + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
            + "\"model\":\"client-model\",\"service_tier\":\"default\",\"system_fingerprint\":null,\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n"
            + "data: [DONE]\n\n");
  }

  @Test
  void reasoningGoesOutAsReasoningContent() throws Exception {
    List<String> events = events(encode(CanonicalStreams.of(answers().get(5), 3), false));
    StringBuilder reasoning = new StringBuilder();
    for (String data : events.subList(0, events.size() - 1)) {
      JsonNode delta = SDK.readTree(data).at("/choices/0/delta");
      if (delta.has("reasoning_content")) reasoning.append(delta.get("reasoning_content").asText());
    }
    assertThat(reasoning).hasToString("I think.");
    assertThat(SDK.readTree(events.getFirst()).at("/choices/0/delta").toString())
        .isEqualTo("{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}");
  }

  @Test
  void aFailureIsOpenAisInStreamErrorAndEndsTheStream() throws Exception {
    OpenAiStreamEncoder encoder = CODEC.streamEncoder("client-model", true);
    Buffer out = encoder.encode(List.of(new StreamEvent.MessageStart("x", "m", null),
        new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null), new StreamEvent.TextDelta(0, "par"),
        new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM, "Provider broke off", "upstream_truncated")),
        new StreamEvent.TextDelta(0, "ignored"), new StreamEvent.MessageStop()));
    List<String> events = events(out);
    JsonNode error = SDK.readTree(events.getLast());
    assertThat(error.toString()).isEqualTo("{\"error\":{\"message\":\"Provider broke off\",\"type\":\"server_error\","
        + "\"param\":null,\"code\":\"upstream_truncated\"}}");
    assertThat(events).hasSize(3);
    assertThat(encoder.over()).isTrue();
    assertThat(encoder.encode(new StreamEvent.MessageStop()).length()).isZero();
  }

  @ParameterizedTest
  @MethodSource("answers")
  void ourDecoderReadsBackWhatTheEncoderWrote(ChatResponse answer) {
    List<StreamEvent> original = CanonicalStreams.of(answer, 2);
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(0);
    List<StreamEvent> back = new ArrayList<>(decoder.decode(encode(original, true)));
    back.addAll(decoder.end());
    Fixtures.assertWellFormed(back);
    assertThat(decoder.sawDone()).isTrue();
    // Expected: the same events, as OpenAI can say them: the model is the client's, stop reasons are OpenAI's
    // four, and tool calls cannot carry signatures.
    List<StreamEvent> expected = new ArrayList<>();
    for (StreamEvent e : original) {
      expected.add(switch (e) {
        case StreamEvent.MessageStart s -> new StreamEvent.MessageStart(s.id(), "client-model", null);
        case StreamEvent.MessageDelta d -> new StreamEvent.MessageDelta(
            answer.content().stream().anyMatch(p -> p instanceof Part.ToolCall) ? StopReason.TOOL_USE : d.stopReason(),
            null, d.usage());
        default -> e;
      });
    }
    assertThat(back).isEqualTo(expected);
  }
}
