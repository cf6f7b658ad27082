package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BedrockCodecTest {
  static Buffer buf(String s) {
    return Buffer.buffer(s.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode tree(Buffer b) {
    return ExactJson.MAPPER.readTree(b.toString(StandardCharsets.UTF_8));
  }

  static JsonNode tree(String json) {
    return ExactJson.MAPPER.readTree(json.replace('\'', '"'));
  }

  static GatewayError rejected(String body) {
    RejectedException e = catchThrowableOfType(RejectedException.class,
        () -> BedrockConverseCodec.decodeRequest(buf(body), "m"));
    assertThat(e).as("expected a RejectedException").isNotNull();
    return e.error();
  }

  static final String RICH = """
      {'messages':[
        {'role':'user','content':[{'text':'What is the weather?'},{'cachePoint':{'type':'default'}},
          {'image':{'format':'png','source':{'bytes':'iVBORw0KGgo='}}},{'video':{'format':'mp4'}}]},
        {'role':'assistant','content':[
          {'reasoningContent':{'reasoningText':{'text':'Need a tool.','signature':'sig1'}}},
          {'reasoningContent':{'redactedContent':'ZW5j'}},
          {'toolUse':{'toolUseId':'tooluse_1','name':'get_weather','input':{'city':'Paris','days':1.50}}}]},
        {'role':'user','content':[{'toolResult':{'toolUseId':'tooluse_1','content':[{'text':'sunny'},{'json':{'t':21}}],'status':'error'}}]}],
       'system':[{'text':'You are terse.'},{'cachePoint':{'type':'default'}},{'guardContent':{'text':{'text':'x'}}}],
       'inferenceConfig':{'maxTokens':256,'temperature':0.5,'topP':0.9,'stopSequences':['END']},
       'toolConfig':{'tools':[{'toolSpec':{'name':'get_weather','description':'Weather','inputSchema':{'json':{'type':'object','properties':{'city':{'type':'string'}}}}}},
                              {'cachePoint':{'type':'default'}}],
                     'toolChoice':{'tool':{'name':'get_weather'}}},
       'additionalModelRequestFields':{'top_k':40,'thinking':{'type':'enabled','budget_tokens':2048},'foo':1},
       'additionalModelResponseFieldPaths':['/stop_sequence'],
       'guardrailConfig':{'guardrailIdentifier':'g'},'requestMetadata':{'team':'a'},'performanceConfig':{'latency':'standard'}}
      """;

  @Test
  void decodesRichRequest() {
    var d = BedrockConverseCodec.decodeRequest(buf(RICH), "anthropic.claude-x", true);
    ChatRequest r = d.request();
    assertThat(d.dropped()).containsExactly("messages.0.content.3 (video)", "system.2 (guardContent)",
        "additionalModelRequestFields.foo", "additionalModelResponseFieldPaths", "guardrailConfig",
        "performanceConfig");
    assertThat(r.model()).isEqualTo("anthropic.claude-x");
    assertThat(r.stream()).isTrue();
    assertThat(r.system()).containsExactly(new Part.Text("You are terse.", CacheMarker.DEFAULT));
    assertThat(r.messages()).containsExactly(
        new Message(Role.USER, List.of(new Part.Text("What is the weather?", CacheMarker.DEFAULT),
            new Part.Image("image/png", "iVBORw0KGgo=", null, null))),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("Need a tool.", "sig1"),
            new Part.RedactedReasoning("ZW5j"),
            new Part.ToolCall("tooluse_1", "get_weather", "{\"city\":\"Paris\",\"days\":1.50}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult("tooluse_1", null,
            List.of(Part.Text.of("sunny"), Part.Text.of("{\"t\":21}")), true, null))));
    assertThat(r.sampling()).isEqualTo(new Sampling(0.5, 0.9, 40, null, null, null));
    assertThat(r.maxOutputTokens()).isEqualTo(256);
    assertThat(r.stopSequences()).containsExactly("END");
    assertThat(r.tools()).containsExactly(new ToolDefinition("get_weather", "Weather",
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", false, CacheMarker.DEFAULT));
    assertThat(r.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
    assertThat(r.reasoning()).isEqualTo(new ReasoningConfig(null, 2048));
    assertThat(r.metadata()).isEqualTo(Map.of("team", "a"));
  }

  @Test
  void richRequestRoundTripsThroughEncoder() {
    var d = BedrockConverseCodec.decodeRequest(buf(RICH), "m");
    var e = BedrockConverseCodec.encodeRequest(d.request(), "us.anthropic.claude-x");
    // Sampling is dropped with thinking, as Claude requires; otherwise the request survives unchanged.
    assertThat(e.dropped()).containsExactly("temperature (not allowed with thinking)",
        "top_k (not allowed with thinking)", "top_p (below 0.95 is not allowed with thinking)");
    var again = BedrockConverseCodec.decodeRequest(e.body(), "m");
    assertThat(again.dropped()).containsExactly("additionalModelResponseFieldPaths");
    assertThat(again.request().messages()).isEqualTo(d.request().messages());
    assertThat(again.request().system()).isEqualTo(d.request().system());
    assertThat(again.request().tools()).isEqualTo(d.request().tools());
    assertThat(again.request().toolChoice()).isEqualTo(d.request().toolChoice());
    assertThat(again.request().reasoning()).isEqualTo(d.request().reasoning());
    assertThat(again.request().metadata()).isEqualTo(d.request().metadata());
  }

  @Test
  void encodesStrictUnionsAndMergesTurns() {
    ChatRequest req = new ChatRequest("m", List.of(Part.Text.of("sys")), List.of(
        new Message(Role.ASSISTANT, List.of(Part.Text.of("Hi"))),
        new Message(Role.USER, List.of(Part.Text.of("a"))),
        new Message(Role.USER, List.of(Part.Text.of(""), new Part.Text("b", CacheMarker.DEFAULT),
            new Part.ToolResult("call 1", null, List.of(Part.Text.of("r")), false, null))),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("unsigned", null)))),
        List.of(), ToolChoice.NONE, null, new Sampling(1.5, null, 3, 7L, null, null), null, List.of(), null,
        null, Map.of(), "u1", false, 1);
    var e = BedrockConverseCodec.encodeRequest(req, "amazon.nova-pro-v1:0");
    assertThat(tree(e.body())).isEqualTo(tree("""
        {'messages':[
          {'role':'user','content':[{'text':'Continue.'}]},
          {'role':'assistant','content':[{'text':'Hi'}]},
          {'role':'user','content':[{'toolResult':{'toolUseId':'sbx_Y2FsbCAx','content':[{'text':'r'}]}},
            {'text':'a'},{'text':'b'},{'cachePoint':{'type':'default'}}]}],
         'system':[{'text':'sys'}],
         'inferenceConfig':{'temperature':1.0},
         'toolConfig':{'tools':[{'toolSpec':{'name':'tool','inputSchema':{'json':{'type':'object'}}}}]}}
        """));
    assertThat(e.dropped()).containsExactly("reasoning (no signature)",
        "messages (a user turn was added: Bedrock requires the conversation to start with one)",
        "temperature (clamped to 1)", "top_k", "seed", "user", "tool_choice (none)",
        "toolConfig (added: the conversation has tool calls but the request declares no tools)");
    for (JsonNode m : tree(e.body()).path("messages")) {
      for (JsonNode b : m.path("content")) assertThat(b.size()).isEqualTo(1);
    }
  }

  @Test
  void toolChoiceNoneLeavesToolsOutWhenNotNeeded() {
    ChatRequest req = new ChatRequest("m", List.of(), List.of(new Message(Role.USER, List.of(Part.Text.of("x")))),
        List.of(new ToolDefinition("t", null, "{}", true, null)), ToolChoice.NONE, null, null, 10, List.of(), null,
        null, Map.of(), null, false, 1);
    var e = BedrockConverseCodec.encodeRequest(req, "m");
    assertThat(tree(e.body()).has("toolConfig")).isFalse();
    assertThat(e.dropped()).containsExactly("tools (tool_choice none)");
    assertThat(tree(e.body()).path("inferenceConfig").path("maxTokens").asInt()).isEqualTo(10);
  }

  @Test
  void toolIdsRoundTrip() {
    for (String id : List.of("tooluse_abc", "call_1", "functions.get:0", "sbx_x", "x".repeat(80))) {
      String wire = Wire.idToWire(id);
      assertThat(wire).matches("[a-zA-Z0-9_-]{1,64}");
      if (id.length() < 40) assertThat(Wire.idFromWire(wire)).isEqualTo(id);
    }
  }

  @Test
  void clientsGetLongIdsWhole() {
    // Ids carrying a Gemini thought signature run to hundreds of characters; a hash would lose the signature.
    for (String id : List.of("gts_" + "A".repeat(400), "functions.get:0".repeat(10), "call_1")) {
      String wire = Wire.idToClient(id);
      assertThat(wire).matches("[a-zA-Z0-9_-]+");
      assertThat(Wire.idFromWire(wire)).isEqualTo(id);
    }
    assertThat(Wire.idToClient("gts_" + "A".repeat(400))).isEqualTo("gts_" + "A".repeat(400));
  }

  @Test
  void rejectsInvalidRequestsNamingTheField() {
    assertThat(rejected("{}").param()).isEqualTo("messages");
    assertThat(rejected("[1]").status()).isEqualTo(400);
    assertThat(rejected("{'messages':[]}").param()).isEqualTo("messages");
    assertThat(rejected("{'messages':[{'role':'assistant','content':[{'text':'x'}]}]}").param())
        .isEqualTo("messages.0.role");
    assertThat(rejected("{'messages':[{'role':'user','content':[{'text':'x'}]},{'role':'user','content':[]}]}")
        .param()).isEqualTo("messages.1.role");
    GatewayError two = rejected("{'messages':[{'role':'user','content':[{'text':'x','type':'text'}]}]}");
    assertThat(two.param()).isEqualTo("messages.0.content.0");
    assertThat(two.code()).isEqualTo("ValidationException");
    assertThat(two.message()).contains("messages.0.content.0").contains("exactly one");
    assertThat(rejected("{'messages':[{'role':'user','content':[{'toolResult':{'content':[]}}]}]}").param())
        .isEqualTo("messages.0.content.0.toolResult.toolUseId");
    assertThat(rejected("{'messages':[{'role':'user','content':[{'text':'x'}]}],'inferenceConfig':{'temperature':2}}")
        .param()).isEqualTo("inferenceConfig.temperature");
    assertThat(rejected("{'messages':[{'role':'user','content':[{'image':{'format':'bmp','source':{'bytes':'AA=='}}}]}]}")
        .param()).isEqualTo("messages.0.content.0.image.format");
    assertThat(rejected("{'messages':[{'role':'user','content':[{'text':'x'}]}],'toolConfig':{'toolChoice':{'none':{}}}}")
        .param()).isEqualTo("toolConfig.toolChoice");
  }

  @Test
  void responseRoundTripWithEveryRequiredMember() {
    ChatResponse r = new ChatResponse("id1", null, List.of(new Part.Reasoning("think", "s"),
        Part.Text.of("Calling."), new Part.ToolCall("tooluse_9", "get_weather", "{\"city\":\"Paris\"}", null)),
        StopReason.TOOL_USE, null, new Usage(120, 30, 100, 5, 0, false));
    Buffer body = BedrockConverseCodec.encodeResponse(r, 42);
    JsonNode j = tree(body);
    assertThat(j.path("output").path("message").path("role").asString()).isEqualTo("assistant");
    assertThat(j.path("stopReason").asString()).isEqualTo("tool_use");
    assertThat(j.path("usage")).isEqualTo(tree("{'inputTokens':15,'outputTokens':30,'totalTokens':150,"
        + "'cacheReadInputTokens':100,'cacheWriteInputTokens':5}"));
    assertThat(j.path("metrics").path("latencyMs").asLong()).isEqualTo(42);
    assertThat(j.path("output").path("message").path("content").get(2)).isEqualTo(
        tree("{'toolUse':{'toolUseId':'tooluse_9','name':'get_weather','input':{'city':'Paris'}}}"));
    assertThat(BedrockConverseCodec.decodeResponse(body, "id1")).isEqualTo(r);
  }

  @Test
  void stopReasonsAndStopSequence() {
    ChatResponse r = new ChatResponse("i", null, List.of(Part.Text.of("x")), StopReason.STOP_SEQUENCE, "END",
        new Usage(1, 1, 0, 0, 0, false));
    assertThat(BedrockConverseCodec.decodeResponse(BedrockConverseCodec.encodeResponse(r, 1), "i")).isEqualTo(r);
    for (var e : Map.of("guardrail_intervened", StopReason.CONTENT_FILTER, "content_filtered",
        StopReason.CONTENT_FILTER, "max_tokens", StopReason.MAX_TOKENS, "model_context_window_exceeded",
        StopReason.CONTEXT_WINDOW_EXCEEDED, "end_turn", StopReason.END_TURN).entrySet()) {
      var d = BedrockConverseCodec.decodeResponse(buf("{'output':{'message':{'role':'assistant','content':[]}},"
          + "'stopReason':'" + e.getKey() + "','usage':{'inputTokens':1,'outputTokens':2,'totalTokens':3},"
          + "'metrics':{'latencyMs':1}}"));
      assertThat(d.stopReason()).isEqualTo(e.getValue());
    }
  }

  @Test
  void errors() {
    var err = GatewayError.of(429, GatewayError.Kind.RATE_LIMIT, "slow \"down\"", null);
    assertThat(tree(BedrockErrorFormat.INSTANCE.body(err))).isEqualTo(tree("{'message':'slow \\'down\\''}".replace("\\'", "\\\"")));
    assertThat(BedrockErrorFormat.errorType(err)).isEqualTo("ThrottlingException");
    assertThat(BedrockErrorFormat.errorType(GatewayError.of(401, GatewayError.Kind.AUTHENTICATION, "x", null)))
        .isEqualTo("UnrecognizedClientException");
    assertThat(BedrockErrorFormat.status(GatewayError.of(401, GatewayError.Kind.AUTHENTICATION, "x", null)))
        .isEqualTo(403);
    assertThat(BedrockErrorFormat.errorType(GatewayError.invalid("x", null, null))).isEqualTo("ValidationException");
    assertThat(BedrockErrorFormat.errorType(GatewayError.of(503, GatewayError.Kind.UNAVAILABLE, "x", null)))
        .isEqualTo("ServiceUnavailableException");
    assertThat(BedrockErrorFormat.errorType(GatewayError.of(408, GatewayError.Kind.TIMEOUT, "x", null)))
        .isEqualTo("ModelTimeoutException");
    assertThat(BedrockErrorFormat.errorType(GatewayError.of(424, GatewayError.Kind.UPSTREAM, "x", null)))
        .isEqualTo("ModelErrorException");
    var decoded = BedrockConverseCodec.decodeError(429, "ThrottlingException:http://internal.amazon.com/",
        buf("{'message':'Too many requests'}"));
    assertThat(decoded.kind()).isEqualTo(GatewayError.Kind.RATE_LIMIT);
    assertThat(decoded.message()).isEqualTo("Too many requests");
    assertThat(decoded.code()).isEqualTo("ThrottlingException");
  }
}
