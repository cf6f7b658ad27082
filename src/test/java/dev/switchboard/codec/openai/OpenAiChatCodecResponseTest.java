package dev.switchboard.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class OpenAiChatCodecResponseTest {
  private static final OpenAiChatCodec CODEC =
      OpenAiChatCodec.withClock(InstantSource.fixed(Instant.ofEpochSecond(1_730_000_000L)));

  private static final String TOOL_ANSWER = """
      {"id":"chatcmpl-abc","object":"chat.completion","created":1730000000,"model":"gpt-4o-2024-08-06",
       "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
         "tool_calls":[
           {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
           {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Tokyo\\"}"}}]},
         "logprobs":null,"finish_reason":"tool_calls"}],
       "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,
         "prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},
         "completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":0}},
       "service_tier":"default","system_fingerprint":"fp_1"}""";

  private static ChatResponse decode(String json) {
    return CODEC.decodeResponse(Buffer.buffer(json));
  }

  private static String answer(String message, String finish, String usage) {
    return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":" + message + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]"
        + (usage == null ? "" : ",\"usage\":" + usage) + "}";
  }

  private static final String SOME_USAGE = "{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}";

  @Test
  void parallelToolCallsWithCachedAndReasoningTokens() {
    ChatResponse r = decode(TOOL_ANSWER);
    assertThat(r).isEqualTo(new ChatResponse("chatcmpl-abc", "gpt-4o-2024-08-06", List.of(
        new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}", null),
        new Part.ToolCall("call_2", "get_weather", "{\"city\":\"Tokyo\"}", null)), StopReason.TOOL_USE, null,
        new Usage(82, 17, 64, 0, 5, false)));
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {
      "stop, false, END_TURN",
      "length, false, MAX_TOKENS",
      "tool_calls, true, TOOL_USE",
      "stop, true, TOOL_USE",       // OpenAI answers "stop" when a named tool was forced
      "content_filter, false, CONTENT_FILTER",
      "function_call, true, TOOL_USE",
      "eos, false, END_TURN",       // whatever a compatible server invents
      "null, false, END_TURN"})
  void finishReasonsMapAsPROTOCOLS53Says(String finish, boolean calls, StopReason expected) {
    String message = calls
        ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}"
        : "{\"role\":\"assistant\",\"content\":\"hi\"}";
    assertThat(decode(answer(message, finish, SOME_USAGE)).stopReason()).isEqualTo(expected);
  }

  @Test
  void reasoningContentComesFirstAndARefusalIsTextWithItsOwnReason() {
    ChatResponse r = decode(answer("{\"role\":\"assistant\",\"reasoning_content\":\"hmm\",\"content\":\"42\"}", "stop",
        SOME_USAGE));
    assertThat(r.content()).containsExactly(new Part.Reasoning("hmm", null), Part.Text.of("42"));
    ChatResponse refused = decode(answer("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't.\"}", "stop",
        SOME_USAGE));
    assertThat(refused.content()).containsExactly(Part.Text.of("I can't."));
    assertThat(refused.stopReason()).isEqualTo(StopReason.REFUSAL);
  }

  @Test
  void missingUsageIsEstimatedAndFlagged() {
    ChatResponse r = CODEC.decodeResponse(Buffer.buffer(answer("{\"role\":\"assistant\",\"content\":\""
        + "x".repeat(41) + "\"}", "stop", null)), 250);
    assertThat(r.usage()).isEqualTo(new Usage(250, 11, 0, 0, 0, true));
    assertThat(decode(answer("{\"role\":\"assistant\",\"content\":\"x\"}", "stop", null)).usage().inputTokens())
        .isZero();
  }

  @Test
  void argumentsSentAsAnObjectByACompatibleServerBecomeJsonText() {
    ChatResponse r = decode(answer("{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
        + "\"function\":{\"name\":\"f\",\"arguments\":{\"a\":[1,2]}}}]}", "tool_calls", SOME_USAGE));
    assertThat(r.content()).containsExactly(new Part.ToolCall("c", "f", "{\"a\":[1,2]}", null));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`not json`                                      | upstream_invalid_response",
      "`[]`                                            | upstream_invalid_response",
      "`{\"id\":\"x\",\"choices\":[]}`                 | upstream_invalid_response",
      "`{\"id\":\"x\",\"choices\":[{\"index\":0}]}`    | upstream_invalid_response",
      "`{\"error\":{\"message\":\"Rate limit\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}` | rate_limit_exceeded",
      "`{\"error\":\"model not loaded\"}`              | upstream_error"})
  void whatIsNotACompletionIsA502(String body, String code) {
    assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(RejectedException.class, e -> {
      assertThat(e.error().status()).isEqualTo(502);
      assertThat(e.error().kind()).isEqualTo(GatewayError.Kind.UPSTREAM);
      assertThat(e.error().code()).isEqualTo(code);
    });
  }

  @Test
  void encodedExactlyAsPROTOCOLS12Shows() {
    ChatResponse r = new ChatResponse("msg_01XYZ", "claude-sonnet-4", List.of(
        new Part.Reasoning("Weather needs a tool.", "sig"), new Part.RedactedReasoning("opaque"),
        Part.Text.of("Checking."), new Part.ToolCall("toolu_01", "get_weather", "{\"city\": \"Paris\"}", null)),
        StopReason.TOOL_USE, null, new Usage(1200, 80, 1000, 150, 30, false));
    OpenAiChatCodecRoundTripTest.assertSameJson(CODEC.encodeResponse(r, "my-model"), """
        {"id":"msg_01XYZ","object":"chat.completion","created":1730000000,"model":"my-model",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","refusal":null,
             "reasoning_content":"Weather needs a tool.",
             "tool_calls":[{"id":"toolu_01","type":"function","function":{"name":"get_weather",
                 "arguments":"{\\"city\\": \\"Paris\\"}"}}]},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,
           "prompt_tokens_details":{"cached_tokens":1000},"completion_tokens_details":{"reasoning_tokens":30}},
         "system_fingerprint":null,"service_tier":"default"}""");
  }

  @ParameterizedTest
  @MethodSource("dev.switchboard.codec.openai.OpenAiStreamEncoderTest#answers")
  void theSdkValidatesEveryEncodedAnswer(ChatResponse answer) throws Exception {
    ChatCompletion c = ObjectMappers.jsonMapper().readValue(CODEC.encodeResponse(answer, "client-model").getBytes(),
        ChatCompletion.class).validate();
    assertThat(c.id()).isEqualTo(answer.id());
    assertThat(c.created()).isEqualTo(1_730_000_000L);
    assertThat(c.model()).isEqualTo("client-model");
    ChatCompletion.Choice choice = c.choices().getFirst();
    assertThat(choice.index()).isZero();
    List<Part.ToolCall> calls = answer.content().stream().filter(p -> p instanceof Part.ToolCall)
        .map(p -> (Part.ToolCall) p).toList();
    assertThat(choice.message().toolCalls().orElse(List.of())).map(t -> t.asFunction())
        .extracting(ChatCompletionMessageFunctionToolCall::id, t -> t.function().name(), t -> t.function().arguments())
        .containsExactlyElementsOf(calls.stream().map(t -> org.assertj.core.groups.Tuple.tuple(t.id(), t.name(),
            t.arguments())).toList());
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(answer.usage().inputTokens());
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(answer.usage().totalTokens());
    assertThat(c.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens())
        .contains(answer.usage().cacheReadTokens());
  }

  @ParameterizedTest
  @MethodSource("dev.switchboard.codec.openai.OpenAiStreamEncoderTest#answers")
  void decodingAnEncodedAnswerGivesItBack(ChatResponse answer) {
    ChatResponse back = decode(CODEC.encodeResponse(answer, "client-model").toString());
    // As OpenAI can say it: the client's model, OpenAI's stop reasons, no signatures, the text in one part.
    List<Part> content = new ArrayList<>();
    for (Part p : answer.content()) {
      switch (p) {
        case Part.Reasoning r -> content.add(new Part.Reasoning(r.text(), null));
        case Part.ToolCall c -> content.add(new Part.ToolCall(c.id(), c.name(), c.arguments(), null));
        default -> content.add(p);
      }
    }
    boolean calls = content.stream().anyMatch(p -> p instanceof Part.ToolCall);
    assertThat(back).isEqualTo(new ChatResponse(answer.id(), "client-model", content,
        calls ? StopReason.TOOL_USE : answer.stopReason(), null, answer.usage()));
  }
}
