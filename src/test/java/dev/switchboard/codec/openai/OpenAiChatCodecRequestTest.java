package dev.switchboard.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiChatCodecRequestTest {
  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.create();

  private static OpenAiChatCodec.Decoded decode(String json) {
    return CODEC.decodeRequest(Buffer.buffer(json));
  }

  /** A request with these messages and extra top-level fields (JSON text after a comma, or empty). */
  private static String request(String messages, String extra) {
    return "{\"model\":\"gpt-4o\",\"messages\":" + messages + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  private static final String HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";

  private static GatewayError rejection(String json) {
    try {
      decode(json);
    } catch (RejectedException e) {
      return e.error();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void systemAndDeveloperMessagesAnywhereFormTheSystemPromptInOrder() {
    ChatRequest r = decode(request("[{\"role\":\"system\",\"content\":\"one\"},{\"role\":\"user\",\"content\":\"hi\"},"
        + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"two\"}]},"
        + "{\"role\":\"assistant\",\"content\":\"yo\"},{\"role\":\"system\",\"content\":\"three\"}]", "")).request();
    assertThat(r.system()).extracting(Part.Text::text).containsExactly("one", "two", "three");
    assertThat(r.messages()).extracting(Message::role).containsExactly(Role.USER, Role.ASSISTANT);
  }

  @Test
  void toolResultsAtTheEndAreAUserMessageOfTheirOwn() {
    ChatRequest r = decode(request("[{\"role\":\"user\",\"content\":\"go\"},"
        + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"done\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"unknown\",\"content\":\"?\"}]", "")).request();
    assertThat(r.messages()).hasSize(3);
    // An assistant turn without content; "" arguments (a call without any) read as an empty object.
    assertThat(r.messages().get(1).parts()).containsExactly(new Part.ToolCall("c1", "f", "{}", null));
    assertThat(r.messages().get(2)).isEqualTo(new Message(Role.USER, List.of(
        new Part.ToolResult("c1", "f", List.of(Part.Text.of("done")), false, null),
        new Part.ToolResult("unknown", null, List.of(Part.Text.of("?")), false, null))));
  }

  @Test
  void assistantReasoningContentAndRefusalsAreKept() {
    ChatRequest r = decode(request("[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\","
        + "\"reasoning_content\":\"thinking\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
        + "{\"type\":\"refusal\",\"refusal\":\"no\"}]},{\"role\":\"user\",\"content\":\"q2\"}]", "")).request();
    assertThat(r.messages().get(1).parts()).containsExactly(new Part.Reasoning("thinking", null), Part.Text.of("a"),
        Part.Text.of("no"));
  }

  @Test
  void anEmptyTextNextToToolCallsIsLeftOut() {
    ChatRequest r = decode(request("[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\","
        + "\"content\":\"\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\","
        + "\"arguments\":\"{}\"}}]},{\"role\":\"assistant\",\"content\":\"\"}]", "")).request();
    assertThat(r.messages().get(1).parts()).containsExactly(new Part.ToolCall("c", "f", "{}", null));
    assertThat(r.messages().get(2).parts()).containsExactly(Part.Text.of("")); // nothing else to say
  }

  @Test
  void lengthPrefersMaxCompletionTokensAndStopTakesAString() {
    ChatRequest both = decode(request(HI, "\"max_tokens\":10,\"max_completion_tokens\":20,\"stop\":\"END\"")).request();
    assertThat(both.maxOutputTokens()).isEqualTo(20);
    assertThat(both.stopSequences()).containsExactly("END");
    assertThat(decode(request(HI, "\"max_tokens\":10")).request().maxOutputTokens()).isEqualTo(10);
    assertThat(decode(request(HI, "")).request().maxOutputTokens()).isNull();
  }

  @Test
  void toolChoicesAndResponseFormats() {
    assertThat(decode(request(HI, "\"tool_choice\":\"none\"")).request().toolChoice()).isEqualTo(ToolChoice.NONE);
    assertThat(decode(request(HI, "\"tool_choice\":\"auto\"")).request().toolChoice()).isEqualTo(ToolChoice.AUTO);
    assertThat(decode(request(HI, "\"tool_choice\":\"required\"")).request().toolChoice()).isEqualTo(ToolChoice.ANY);
    assertThat(decode(request(HI, "\"response_format\":{\"type\":\"text\"}")).request().outputFormat()).isNull();
    assertThat(decode(request(HI, "\"response_format\":{\"type\":\"json_object\"}")).request().outputFormat())
        .isEqualTo(new OutputFormat.JsonObject());
  }

  @Test
  void valuesThatAskForNothingAreNotReportedAsDropped() {
    OpenAiChatCodec.Decoded d = decode(request(HI, "\"logprobs\":false,\"store\":false,\"service_tier\":\"auto\","
        + "\"modalities\":[\"text\"],\"logit_bias\":{},\"audio\":null,\"top_logprobs\":null,"
        + "\"stream\":false,\"n\":1,\"user\":null,\"safety_identifier\":\"s-1\""));
    assertThat(d.dropped()).isEmpty();
    assertThat(d.request().user()).isEqualTo("s-1");
  }

  @Test
  void contentTheCanonicalModelCannotCarryIsReported() {
    OpenAiChatCodec.Decoded d = decode(request("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"},"
        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAA\",\"format\":\"wav\"}},"
        + "{\"type\":\"file\",\"file\":{\"file_id\":\"f1\"}}],\"name\":\"bob\"},"
        + "{\"role\":\"assistant\",\"content\":\"ok\",\"audio\":{\"id\":\"a1\"}},{\"role\":\"user\",\"content\":\"y\"}]",
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"x-extra\":1}}],\"verbosity\":\"low\""));
    assertThat(d.dropped()).containsExactly("verbosity", "messages[].name", "messages[].content[].input_audio",
        "messages[].content[].file", "messages[].audio", "tools[].function.x-extra");
    assertThat(d.request().messages().getFirst().parts()).containsExactly(Part.Text.of("x"));
  }

  @Test
  void streamOptionsSayWhetherTheClientWantsTheUsageChunk() {
    assertThat(decode(request(HI, "\"stream\":true,\"stream_options\":{\"include_usage\":true}")).includeUsage())
        .isTrue();
    assertThat(decode(request(HI, "\"stream\":true")).includeUsage()).isFalse();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      `[1]`                                                                              |                                         | invalid_json
      `{"messages":[{"role":"user","content":"x"}]}`                                     | model                                   | missing_required_parameter
      `{"model":"m"}`                                                                    | messages                                | missing_required_parameter
      `{"model":"m","messages":[]}`                                                      | messages                                | empty_array
      `{"model":"m","messages":{}}`                                                      | messages                                | invalid_type
      `{"model":"m","messages":[{"content":"x"}]}`                                       | messages[0].role                        | missing_required_parameter
      `{"model":"m","messages":[{"role":"robot","content":"x"}]}`                        | messages[0].role                        | invalid_value
      `{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}`          | messages[0].role                        | unsupported_value
      `{"model":"m","messages":[{"role":"user","content":5}]}`                           | messages[0].content                     | invalid_type
      `{"model":"m","messages":[{"role":"user"}]}`                                       | messages[0].content                     | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]}`          | messages[0].content[0].type             | invalid_value
      `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`           | messages[0].content[0].text             | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}`    | messages[0].content                     | unsupported_value
      `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}` | messages[0].content[0].image_url.url | invalid_value
      `{"model":"m","messages":[{"role":"system","content":"s"}]}`                       | messages                                | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant"}]}`    | messages[1].content                     | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\\"a\\":"}}]}]}` | messages[1].tool_calls[0].function.arguments | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{"a":1}}}]}]}` | messages[2].tool_calls[0].function.arguments | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}` | messages[1].tool_calls[0].id | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{}}]}]}` | messages[1].tool_calls[0].type | unsupported_value
      `{"model":"m","messages":[{"role":"tool","content":"r"}]}`                         | messages[0].tool_call_id                | missing_required_parameter
      `{"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":[{"type":"image_url"}]}]}` | messages[0].content[0].type | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"description":"d"}}]}` | tools[0].function.name | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}]}` | tools[0].function.parameters | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"custom","custom":{"name":"g"}}]}` | tools[0].type   | unsupported_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]}` | tools[1].function.name | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tool_choice":"any"}`     | tool_choice                             | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"tool_choice":{"type":"function","function":{}}}` | tool_choice.function.name | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"name":"f"}]}` | functions                             | unsupported_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"temperature":2.5}`       | temperature                             | decimal_above_max_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"temperature":"hot"}`     | temperature                             | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"top_p":-0.1}`            | top_p                                   | decimal_below_min_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"frequency_penalty":3}`   | frequency_penalty                       | decimal_above_max_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"seed":1.5}`              | seed                                    | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"n":0}`                   | n                                       | integer_below_min_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"max_tokens":0}`          | max_tokens                              | integer_below_min_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"max_completion_tokens":99999999999}` | max_completion_tokens   | integer_above_max_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"stop":["a",1]}`          | stop[1]                                 | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"response_format":{"type":"yaml"}}` | response_format.type         | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}` | response_format.json_schema.schema | missing_required_parameter
      `{"model":"m","messages":[{"role":"user","content":"q"}],"reasoning_effort":"max"}` | reasoning_effort                       | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"metadata":{"k":1}}`      | metadata.k                              | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"stream_options":{"include_usage":true}}` | stream_options       | invalid_value
      `{"model":"m","messages":[{"role":"user","content":"q"}],"stream":true,"stream_options":{"include_usage":"yes"}}` | stream_options.include_usage | invalid_type
      `{"model":"m","messages":[{"role":"user","content":"q"}],"parallel_tool_calls":1}` | parallel_tool_calls                     | invalid_type
      """)
  void errorsNameTheFieldAsOpenAiDoes(String body, String param, String code) {
    GatewayError e = rejection(body);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.kind()).isEqualTo(GatewayError.Kind.INVALID_REQUEST);
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.code()).isEqualTo(code);
    if (param != null) assertThat(e.message()).contains("'" + param + "'");
  }

  @Test
  void messagesReadLikeOpenAis() {
    assertThat(rejection(request(HI, "\"temperature\":3")).message())
        .isEqualTo("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.");
    assertThat(rejection(request("[{\"role\":\"user\",\"content\":7}]", "")).message()).isEqualTo(
        "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer "
            + "instead.");
    assertThat(rejection(request("[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":"
        + "[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]", "")).message())
        .startsWith("Invalid value for 'messages[1].tool_calls[0].function.arguments': the arguments must be a JSON "
            + "object encoded as a string")
        .endsWith("but it is not a JSON object.");
  }
}
