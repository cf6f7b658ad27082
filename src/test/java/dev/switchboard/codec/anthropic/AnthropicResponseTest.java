package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicTestSupport.assertJson;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.buf;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.q;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.rejected;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.str;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.ObjectMappers;
import com.anthropic.models.messages.Message;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicResponseTest {
  static final String UPSTREAM = q("""
      {'id': 'msg_01XYZ', 'type': 'message', 'role': 'assistant', 'model': 'claude-sonnet-4-5',
       'content': [
         {'type': 'thinking', 'thinking': 'Weather needs a tool.', 'signature': 'EqQBCgIYAhIM'},
         {'type': 'redacted_thinking', 'data': 'EmwKAhgB'},
         {'type': 'text', 'text': 'Let me look.', 'citations': null},
         {'type': 'server_tool_use', 'id': 'srvtoolu_1', 'name': 'web_search', 'input': {'query': 'x'}},
         {'type': 'tool_use', 'id': 'toolu_01A', 'name': 'get_weather', 'input': {'city': 'Paris', 't': 20.50}}],
       'stop_reason': 'tool_use', 'stop_sequence': null,
       'usage': {'input_tokens': 100, 'output_tokens': 50, 'cache_creation_input_tokens': 20,
                 'cache_read_input_tokens': 30, 'service_tier': 'standard'}}
      """);

  static final ChatResponse CANONICAL = new ChatResponse("msg_01XYZ", "claude-sonnet-4-5", List.of(
      new Part.Reasoning("Weather needs a tool.", "EqQBCgIYAhIM"),
      new Part.RedactedReasoning("EmwKAhgB"),
      Part.Text.of("Let me look."),
      new Part.ToolCall("toolu_01A", "get_weather", "{\"city\":\"Paris\",\"t\":20.50}", null)),
      StopReason.TOOL_USE, null, new Usage(150, 50, 30, 20, 0, false));

  @Test
  void anUpstreamMessageDecodesWithCachedTokensCountedIntoTheInput() {
    assertThat(AnthropicCodec.decodeResponse(buf(UPSTREAM))).isEqualTo(CANONICAL);
  }

  @Test
  void aCanonicalAnswerEncodesAsAnAnthropicMessageTheSdkAccepts() {
    var body = AnthropicCodec.encodeResponse(CANONICAL, "my-claude");
    assertJson(body, q("""
        {'id': 'msg_01XYZ', 'type': 'message', 'role': 'assistant', 'model': 'my-claude',
         'content': [
           {'type': 'thinking', 'thinking': 'Weather needs a tool.', 'signature': 'EqQBCgIYAhIM'},
           {'type': 'redacted_thinking', 'data': 'EmwKAhgB'},
           {'type': 'text', 'text': 'Let me look.'},
           {'type': 'tool_use', 'id': 'toolu_01A', 'name': 'get_weather', 'input': {'city': 'Paris', 't': 20.50}}],
         'stop_reason': 'tool_use', 'stop_sequence': null,
         'usage': {'input_tokens': 100, 'output_tokens': 50, 'cache_creation_input_tokens': 20,
                   'cache_read_input_tokens': 30}}
        """));
    Message m = sdkMessage(body);
    m.validate();
    assertThat(m.id()).isEqualTo("msg_01XYZ");
    assertThat(m.usage().inputTokens()).isEqualTo(100);
    assertThat(m.usage().cacheReadInputTokens()).contains(30L);
    assertThat(m.content().get(3).asToolUse()._input().toString()).contains("Paris");
    assertThat(m.content().get(0).asThinking().signature()).isEqualTo("EqQBCgIYAhIM");
    // Decoding what we encoded gives the answer back.
    assertThat(AnthropicCodec.decodeResponse(body)).isEqualTo(new ChatResponse("msg_01XYZ", "my-claude",
        CANONICAL.content(), CANONICAL.stopReason(), null, CANONICAL.usage()));
  }

  @Test
  void anotherProvidersAnswerGetsAnAnthropicShape() {
    ChatResponse openai = new ChatResponse("chatcmpl-9", "gpt-x", List.of(
        new Part.Reasoning("thought", null), Part.Text.of("Hi"),
        new Part.ToolCall("functions.f:0", "f", "", null)),
        StopReason.STOP_SEQUENCE, "###", new Usage(12, 5, 0, 0, 2, false));
    var body = AnthropicCodec.encodeResponse(openai, "m");
    Message m = sdkMessage(body);
    m.validate();
    assertThat(m.id()).isEqualTo("msg_chatcmpl-9");
    assertThat(m.stopSequence()).contains("###");
    assertThat(m.content().get(0).asThinking().signature()).isEmpty();
    assertThat(m.content().get(2).asToolUse().id()).matches("[a-zA-Z0-9_-]+");
    assertThat(m.content().get(2).asToolUse()._input().toString()).isEqualTo("{}");
    // The mapped tool id comes back as the upstream's own.
    assertThat(((Part.ToolCall) AnthropicCodec.decodeResponse(body).content().get(2)).id()).isEqualTo("functions.f:0");
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", textBlock = """
      end_turn,                      END_TURN,                end_turn
      stop_sequence,                 STOP_SEQUENCE,           stop_sequence
      max_tokens,                    MAX_TOKENS,              max_tokens
      model_context_window_exceeded, CONTEXT_WINDOW_EXCEEDED, model_context_window_exceeded
      tool_use,                      TOOL_USE,                tool_use
      refusal,                       REFUSAL,                 refusal
      pause_turn,                    PAUSE_TURN,              pause_turn
      null,                          END_TURN,                end_turn
      something_new,                 END_TURN,                end_turn
      """)
  void stopReasonsMapBothWays(String wire, StopReason canonical, String back) {
    String json = UPSTREAM.replace("\"stop_reason\": \"tool_use\"",
        "\"stop_reason\": " + (wire == null ? "null" : "\"" + wire + "\""));
    ChatResponse r = AnthropicCodec.decodeResponse(buf(json));
    assertThat(r.stopReason()).isEqualTo(canonical);
    Message m = sdkMessage(AnthropicCodec.encodeResponse(r, "m"));
    m.validate();
    assertThat(m.stopReason().orElseThrow().asString()).isEqualTo(back);
  }

  @Test
  void aContentFilterStopIsARefusal() {
    ChatResponse r = new ChatResponse("x", "m", List.of(), StopReason.CONTENT_FILTER, null, new Usage(1, 0, 0, 0, 0, false));
    assertThat(sdkMessage(AnthropicCodec.encodeResponse(r, "m")).stopReason().orElseThrow().asString())
        .isEqualTo("refusal");
  }

  @Test
  void aMessageWithoutUsageGetsAFlaggedEstimate() {
    ChatResponse r = AnthropicCodec.decodeResponse(buf(q(
        "{'id':'msg_1','type':'message','content':[{'type':'text','text':'abcdefghij'}],'stop_reason':'end_turn'}")));
    assertThat(r.usage()).isEqualTo(new Usage(0, 3, 0, 0, 0, true));
  }

  @Test
  void badUpstreamBodiesAre502sAndErrorBodiesKeepTheirMeaning() {
    GatewayError notJson = rejected(() -> AnthropicCodec.decodeResponse(buf("<html>")));
    assertThat(notJson.status()).isEqualTo(502);
    assertThat(notJson.kind()).isEqualTo(GatewayError.Kind.UPSTREAM);
    assertThat(rejected(() -> AnthropicCodec.decodeResponse(buf("{\"type\":\"message\"}"))).message())
        .isEqualTo("The upstream's answer could not be read as an Anthropic message: it has no id.");
    GatewayError overloaded = rejected(() -> AnthropicCodec.decodeResponse(
        buf(q("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}"))));
    assertThat(overloaded.status()).isEqualTo(529);
    assertThat(overloaded.kind()).isEqualTo(GatewayError.Kind.UNAVAILABLE);
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      400, invalid_request_error, INVALID_REQUEST
      401, authentication_error,  AUTHENTICATION
      402, billing_error,         PERMISSION
      403, permission_error,      PERMISSION
      404, not_found_error,       NOT_FOUND
      413, request_too_large,     TOO_LARGE
      429, rate_limit_error,      RATE_LIMIT
      500, api_error,             UPSTREAM
      504, timeout_error,         TIMEOUT
      529, overloaded_error,      UNAVAILABLE
      """)
  void upstreamErrorsMapToGatewayErrors(int status, String type, GatewayError.Kind kind) {
    GatewayError e = AnthropicCodec.decodeError(status,
        buf(q("{'type':'error','error':{'type':'" + type + "','message':'why'},'request_id':'req_1'}")));
    assertThat(e).isEqualTo(new GatewayError(status, kind, "why", null, type, -1));
    // And the front door spells it back the same way.
    assertThat(AnthropicErrorFormat.type(e)).isEqualTo(type);
  }

  @Test
  void anUpstreamErrorThatIsNotAnthropicJsonIsClassifiedByStatus() {
    GatewayError e = AnthropicCodec.decodeError(503, buf("Service Unavailable"));
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.kind()).isEqualTo(GatewayError.Kind.UNAVAILABLE);
    assertThat(e.message()).isEqualTo("The upstream returned an error without a message.");
  }

  static Message sdkMessage(io.vertx.core.buffer.Buffer body) {
    try {
      return ObjectMappers.jsonMapper().readValue(str(body), Message.class);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
