package dev.switchboard.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Golden round trips: client request to canonical to upstream request, and canonical to OpenAI and back. */
class OpenAiChatCodecRoundTripTest {
  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.create();
  private static final String UPSTREAM = "upstream/gpt-4o-2024-08-06";

  /** Equal as JSON: same structure, strings and booleans, numbers equal in value (7 and 7.0 are equal). */
  static void assertSameJson(Buffer actual, String expected) {
    JsonNode a = Json.MAPPER.readTree(actual.getBytes());
    JsonNode e = Json.MAPPER.readTree(expected);
    boolean same = a.equals((x, y) -> x.isNumber() && y.isNumber()
        ? Double.compare(x.doubleValue(), y.doubleValue()) : x.equals(y) ? 0 : 1, e);
    assertThat(same).as("expected %s%nbut was  %s", e.toPrettyString(), a.toPrettyString()).isTrue();
  }

  @Test
  void aRichClientRequestReachesTheUpstreamIntactExceptForWhatIsReported() {
    OpenAiChatCodec.Decoded decoded = CODEC.decodeRequest(Buffer.buffer(Fixtures.text("rich-request.json")));
    assertThat(decoded.dropped()).containsExactly("logprobs", "top_logprobs", "logit_bias", "service_tier", "store",
        "prediction", "web_search_options", "x_vendor_extension", "messages[].content[].image_url.detail",
        "messages[].name");
    assertThat(decoded.includeUsage()).isFalse();

    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(decoded.request(), UPSTREAM);
    assertSameJson(encoded.body(), Fixtures.text("rich-request.upstream.json"));
    assertThat(encoded.dropped()).containsExactly(RequestEncoder.DROPPED_METADATA, RequestEncoder.DROPPED_CHOICES);
  }

  @Test
  void theRichRequestAsCanonical() {
    ChatRequest r = CODEC.decodeRequest(Buffer.buffer(Fixtures.text("rich-request.json"))).request();
    assertThat(r.system()).extracting(Part.Text::text)
        .containsExactly("You are terse.", "Answer in French.", "Use metric units.");
    assertThat(r.messages()).extracting(Message::role)
        .containsExactly(Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT, Role.USER);
    assertThat(r.messages().get(0).parts()).containsExactly(
        Part.Text.of("Weather in Paris and Tokyo? And what is in these pictures?"),
        new Part.Image("image/png", "iVBORw0KGgoAAAANSUhEUgAAAAE=", null, null),
        new Part.Image(null, null, "https://example.com/cat.jpg", null));
    assertThat(r.messages().get(1).parts()).containsExactly(
        new Part.ToolCall("call_paris", "get_weather", "{\"city\": \"Paris\"}", null),
        new Part.ToolCall("call_tokyo", "get_weather", "{\"city\":\"Tokyo\",\"unit\":\"c\"}", null));
    // Both tool messages and the user message after them: one user turn, results first, named after their calls.
    assertThat(r.messages().get(2).parts()).containsExactly(
        new Part.ToolResult("call_paris", "get_weather", List.of(Part.Text.of("18°C, cloudy")), false, null),
        new Part.ToolResult("call_tokyo", "get_weather", List.of(Part.Text.of("25°C"), Part.Text.of("sunny")), false,
            null),
        Part.Text.of("And the cat?"));
    assertThat(r.tools()).extracting(ToolDefinition::name, ToolDefinition::strict)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("get_weather", true),
            org.assertj.core.groups.Tuple.tuple("get_time", false));
    assertThat(r.tools().get(1).inputSchema()).isEqualTo(RequestDecoder.NO_PARAMETERS);
    assertThat(r.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
    assertThat(r.parallelToolCalls()).isTrue();
    assertThat(r.sampling()).isEqualTo(new Sampling(0.7, 0.9, null, 42L, 0.5, -0.25));
    assertThat(r.maxOutputTokens()).isEqualTo(800);
    assertThat(r.stopSequences()).containsExactly("\n\nUser:", "END");
    assertThat(r.outputFormat()).isInstanceOfSatisfying(OutputFormat.JsonSchema.class, s -> {
      assertThat(s.name()).isEqualTo("weather");
      assertThat(s.strict()).isTrue();
      assertThat(Json.MAPPER.readTree(s.schema()).path("required").size()).isEqualTo(2);
    });
    assertThat(r.reasoning()).isEqualTo(new ReasoningConfig("low", null));
    assertThat(r.metadata()).isEqualTo(Map.of("team", "search", "ticket", "T-1"));
    assertThat(r.user()).isEqualTo("user-1234");
    assertThat(r.stream()).isTrue();
    assertThat(r.choices()).isEqualTo(2);
  }

  @Test
  void decodingWhatWeEncodedGivesTheSameRequest() {
    ChatRequest first = CODEC.decodeRequest(Buffer.buffer(Fixtures.text("rich-request.json"))).request();
    OpenAiChatCodec.Decoded again = CODEC.decodeRequest(CODEC.encodeRequest(first, UPSTREAM).body());
    assertThat(again.dropped()).isEmpty();
    assertThat(again.includeUsage()).isTrue();
    assertThat(again.request()).isEqualTo(new ChatRequest(UPSTREAM, first.system(), first.messages(), first.tools(),
        first.toolChoice(), first.parallelToolCalls(), first.sampling(), first.maxOutputTokens(),
        first.stopSequences(), first.outputFormat(), first.reasoning(), Map.of(), first.user(), true, 1));
  }

  @Test
  void theOfficialSdkReadsTheEncodedRequest() throws Exception {
    ChatRequest r = CODEC.decodeRequest(Buffer.buffer(Fixtures.text("rich-request.json"))).request();
    // validate() insists on a model name the SDK knows, so this one is a real one.
    ChatCompletionCreateParams.Body body = ObjectMappers.jsonMapper().readValue(
        CODEC.encodeRequest(r, "gpt-4o").body().getBytes(), ChatCompletionCreateParams.Body.class).validate();
    assertThat(body.messages()).hasSize(8);
    assertThat(body.messages().get(4).isTool()).isTrue();
    assertThat(body.maxCompletionTokens()).contains(800L);
  }

  @Test
  void whatTheOfficialSdkSendsDecodes() throws Exception {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-4o")
        .addDeveloperMessage("Be brief.").addUserMessage("Hi").maxCompletionTokens(50).temperature(1.0)
        .addTool(com.openai.models.chat.completions.ChatCompletionFunctionTool.builder()
            .function(com.openai.models.FunctionDefinition.builder().name("f").build()).build())
        .build();
    byte[] body = ObjectMappers.jsonMapper().writeValueAsBytes(params._body());
    OpenAiChatCodec.Decoded d = CODEC.decodeRequest(Buffer.buffer(body));
    assertThat(d.dropped()).isEmpty();
    assertThat(d.request().system()).containsExactly(Part.Text.of("Be brief."));
    assertThat(d.request().maxOutputTokens()).isEqualTo(50);
    assertThat(d.request().tools()).singleElement().extracting(ToolDefinition::name).isEqualTo("f");
  }

  /**
   * A request as the Anthropic front door would decode it: what OpenAI cannot take is reported, each kind once,
   * and the rest comes back unchanged.
   */
  @Test
  void aCanonicalRequestWithOtherProvidersFeaturesGoesOutWithAnExactReport() {
    CacheMarker cache = CacheMarker.DEFAULT;
    ChatRequest anthropic = new ChatRequest("claude-sonnet",
        List.of(new Part.Text("You are helpful.", new CacheMarker("1h"))),
        List.of(
            new Message(Role.USER, List.of(new Part.Text("Look:", null),
                new Part.Image("image/jpeg", "/9j/4AAQ", null, cache))),
            new Message(Role.ASSISTANT, List.of(new Part.Reasoning("They want a look.", "sig-1"),
                new Part.RedactedReasoning("opaque"), new Part.Text("Calling.", null),
                new Part.ToolCall("toolu_01", "inspect", "{\"deep\":true}", null))),
            new Message(Role.USER, List.of(
                new Part.ToolResult("toolu_01", "inspect", List.of(Part.Text.of("failed: timeout"),
                    new Part.Image("image/png", "iVBO", null, null)), true, cache),
                Part.Text.of("Try again?")))),
        List.of(new ToolDefinition("inspect", null, "{\"type\":\"object\"}", false, cache)),
        ToolChoice.ANY, false, new Sampling(0.5, null, 40, null, null, null), 1024, List.of(), null,
        new ReasoningConfig(null, 4000), Map.of("user_id", "u-42"), null, false, 1);

    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(anthropic, "gpt-4.1");
    assertThat(encoded.dropped()).containsExactly(RequestEncoder.DROPPED_CACHE, RequestEncoder.DROPPED_REASONING,
        RequestEncoder.DROPPED_REDACTED, RequestEncoder.DROPPED_TOOL_ERROR, RequestEncoder.DROPPED_TOOL_IMAGES,
        RequestEncoder.DROPPED_TOP_K, "reasoning budget_tokens (sent as reasoning_effort 'medium')");
    assertSameJson(encoded.body(), """
        {"model": "gpt-4.1",
         "messages": [
           {"role": "system", "content": "You are helpful."},
           {"role": "user", "content": [{"type": "text", "text": "Look:"},
             {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}}]},
           {"role": "assistant", "content": "Calling.", "tool_calls": [{"id": "toolu_01", "type": "function",
             "function": {"name": "inspect", "arguments": "{\\"deep\\":true}"}}]},
           {"role": "tool", "tool_call_id": "toolu_01", "content": "failed: timeout"},
           {"role": "user", "content": "Try again?"}],
         "tools": [{"type": "function", "function": {"name": "inspect", "parameters": {"type": "object"}}}],
         "tool_choice": "required", "parallel_tool_calls": false, "temperature": 0.5,
         "max_completion_tokens": 1024, "reasoning_effort": "medium", "user": "u-42"}""");

    ChatRequest back = CODEC.decodeRequest(encoded.body()).request();
    assertThat(back.messages().get(1).parts()).containsExactly(Part.Text.of("Calling."),
        new Part.ToolCall("toolu_01", "inspect", "{\"deep\":true}", null));
    assertThat(back.messages().get(2).parts()).containsExactly(
        new Part.ToolResult("toolu_01", "inspect", List.of(Part.Text.of("failed: timeout")), false, null),
        Part.Text.of("Try again?"));
    assertThat(back.reasoning()).isEqualTo(new ReasoningConfig("medium", null));
    assertThat(back.user()).isEqualTo("u-42");
  }

  @Test
  void toolCallIdsTooLongForOpenAiAreShortenedAlikeForTheCallAndItsResult() {
    String bedrockId = "tooluse_" + "x".repeat(56); // 64 characters, as Bedrock allows
    ChatRequest r = new ChatRequest("m", List.of(), List.of(
        new Message(Role.USER, List.of(Part.Text.of("go"))),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall(bedrockId, "f", "{}", null),
            new Part.ToolCall("call_short", "f", "{}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult(bedrockId, "f", List.of(Part.Text.of("1")), false, null),
            new Part.ToolResult("call_short", "f", List.of(Part.Text.of("2")), false, null)))),
        List.of(), null, null, null, null, List.of(), null, null, Map.of(), null, false, 1);
    JsonNode body = Json.MAPPER.readTree(CODEC.encodeRequest(r, "u").body().getBytes());
    String shortened = body.at("/messages/1/tool_calls/0/id").asString();
    assertThat(shortened).hasSize(40).startsWith("call_").isEqualTo(RequestEncoder.toolCallId(bedrockId));
    assertThat(body.at("/messages/2/tool_call_id").asString()).isEqualTo(shortened);
    assertThat(body.at("/messages/1/tool_calls/1/id").asString()).isEqualTo("call_short");
    assertThat(body.at("/messages/3/tool_call_id").asString()).isEqualTo("call_short");
    assertThat(RequestEncoder.toolCallId(bedrockId + "y")).isNotEqualTo(shortened);
  }

  @Test
  void aStreamAsksForUsageAndAnEmptyReportStaysEmpty() {
    ChatRequest plain = new ChatRequest("m", List.of(), List.of(new Message(Role.USER, List.of(Part.Text.of("hi")))),
        List.of(), ToolChoice.AUTO, true, null, null, List.of(), new OutputFormat.JsonObject(), null, Map.of(), null,
        true, 1);
    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(plain, "u");
    assertThat(encoded.dropped()).isEmpty();
    // No tools: tool_choice and parallel_tool_calls would be rejected by OpenAI, and mean nothing.
    assertSameJson(encoded.body(), """
        {"model": "u", "messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"},
         "stream": true, "stream_options": {"include_usage": true}}""");
  }
}
