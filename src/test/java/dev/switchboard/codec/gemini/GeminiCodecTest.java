package dev.switchboard.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

final class GeminiCodecTest {
  private static ChatRequest request(List<Message> messages, List<ToolDefinition> tools, ToolChoice choice,
      OutputFormat format) {
    return new ChatRequest("m", List.of(Part.Text.of("Be brief.")), messages, tools, choice, null,
        new Sampling(0.5, 0.9, 40, null, null, null), 100, List.of("END"), format, null, Map.of(), null, false, 1);
  }

  private static JsonNode json(Buffer b) {
    return GeminiCodec.MAPPER.readTree(b.getBytes());
  }

  @Test
  void encodesContentsSystemGenerationConfigToolsAndToolConfig() {
    ToolDefinition weather = new ToolDefinition("get_weather", "Weather now",
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", false, null);
    List<Message> msgs = List.of(
        new Message(Role.USER, List.of(Part.Text.of("Weather in Oslo?"),
            new Part.Image("image/jpeg", "QUJD", null, null))),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall("call_0", "get_weather", "{\"city\":\"Oslo\"}", "sig-1"))),
        new Message(Role.USER, List.of(new Part.ToolResult("call_0", null, List.of(Part.Text.of("-3 C")), false, null))));
    GeminiCodec.Encoded e = GeminiCodec.encodeRequest(request(msgs, List.of(weather), new ToolChoice.Named("get_weather"),
        new OutputFormat.JsonSchema("w", "{\"type\":\"object\"}", true)), "gemini-2.5-flash");
    assertThat(e.dropped()).isEmpty();
    JsonNode b = json(e.body());
    assertThat(b.path("systemInstruction").path("parts").path(0).path("text").asString()).isEqualTo("Be brief.");
    JsonNode c = b.path("contents");
    assertThat(c.size()).isEqualTo(3);
    assertThat(c.path(0).path("role").asString()).isEqualTo("user");
    assertThat(c.path(0).path("parts").path(0).path("text").asString()).isEqualTo("Weather in Oslo?");
    assertThat(c.path(0).path("parts").path(1).path("inlineData").path("mimeType").asString()).isEqualTo("image/jpeg");
    assertThat(c.path(1).path("role").asString()).isEqualTo("model");
    JsonNode call = c.path(1).path("parts").path(0);
    assertThat(call.path("functionCall").path("name").asString()).isEqualTo("get_weather");
    assertThat(call.path("functionCall").path("args").path("city").asString()).isEqualTo("Oslo");
    assertThat(call.path("thoughtSignature").asString()).isEqualTo("sig-1");
    JsonNode fr = c.path(2).path("parts").path(0).path("functionResponse");
    assertThat(fr.path("name").asString()).isEqualTo("get_weather");
    assertThat(fr.path("response").path("content").asString()).isEqualTo("-3 C");
    JsonNode g = b.path("generationConfig");
    assertThat(g.path("maxOutputTokens").asInt()).isEqualTo(100);
    assertThat(g.path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(g.path("topP").asDouble()).isEqualTo(0.9);
    assertThat(g.path("topK").asInt()).isEqualTo(40);
    assertThat(g.path("stopSequences").path(0).asString()).isEqualTo("END");
    assertThat(g.path("responseMimeType").asString()).isEqualTo("application/json");
    assertThat(g.path("responseJsonSchema").path("type").asString()).isEqualTo("object");
    JsonNode decl = b.path("tools").path(0).path("functionDeclarations").path(0);
    assertThat(decl.path("name").asString()).isEqualTo("get_weather");
    assertThat(decl.path("description").asString()).isEqualTo("Weather now");
    assertThat(decl.path("parametersJsonSchema").path("properties").has("city")).isTrue();
    JsonNode fcc = b.path("toolConfig").path("functionCallingConfig");
    assertThat(fcc.path("mode").asString()).isEqualTo("ANY");
    assertThat(fcc.path("allowedFunctionNames").path(0).asString()).isEqualTo("get_weather");
    assertThat(b.has("model")).isFalse();
  }

  @Test
  void toolChoiceModesAndWhatIsDropped() {
    List<Message> msgs = List.of(new Message(Role.USER, List.of(Part.Text.of("hi"),
        new Part.Image(null, null, "https://x/y.png", null),
        new Part.ToolResult("nowhere", "lookup", List.of(Part.Text.of("r")), true, null))));
    for (var c : List.of(Map.entry(ToolChoice.AUTO, "AUTO"), Map.entry(ToolChoice.NONE, "NONE"),
        Map.entry(ToolChoice.ANY, "ANY"))) {
      GeminiCodec.Encoded e = GeminiCodec.encodeRequest(request(msgs, List.of(), c.getKey(), null), "m");
      assertThat(json(e.body()).path("toolConfig").path("functionCallingConfig").path("mode").asString())
          .isEqualTo(c.getValue());
      assertThat(e.dropped()).containsExactly("messages.0.content.1 (image by url)");
      JsonNode fr = json(e.body()).path("contents").path(0).path("parts").path(1).path("functionResponse");
      assertThat(fr.path("name").asString()).isEqualTo("lookup");
      assertThat(fr.path("response").path("error").asString()).isEqualTo("r");
    }
  }

  @Test
  void decodesTextUsageAndFinishReasons() {
    ChatResponse r = GeminiCodec.decodeResponse(Buffer.buffer("""
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello "},{"text":"world"}]},"finishReason":"STOP","index":0}],
         "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":3,"totalTokenCount":20,"thoughtsTokenCount":7,
           "cachedContentTokenCount":4},"modelVersion":"gemini-2.5-flash","responseId":"r-1"}"""));
    assertThat(r.id()).isEqualTo("r-1");
    assertThat(r.model()).isEqualTo("gemini-2.5-flash");
    assertThat(r.content()).containsExactly(Part.Text.of("Hello "), Part.Text.of("world"));
    assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
    assertThat(r.usage()).isEqualTo(new Usage(10, 10, 4, 0, 7, false));
    assertThat(GeminiCodec.decodeResponse(Buffer.buffer(
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"finishReason\":\"MAX_TOKENS\"}]}")).stopReason())
        .isEqualTo(StopReason.MAX_TOKENS);
    assertThat(GeminiCodec.decodeResponse(Buffer.buffer(
        "{\"candidates\":[{\"finishReason\":\"SAFETY\"}]}")).stopReason()).isEqualTo(StopReason.CONTENT_FILTER);
    assertThat(GeminiCodec.decodeResponse(Buffer.buffer(
        "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}")).stopReason()).isEqualTo(StopReason.CONTENT_FILTER);
  }

  @Test
  void functionCallsBecomeToolUseWithSynthesisedIdsAndSignatures() {
    ChatResponse r = GeminiCodec.decodeResponse(Buffer.buffer("""
        {"candidates":[{"content":{"role":"model","parts":[
           {"functionCall":{"name":"a","args":{"x":1.50}},"thoughtSignature":"SIG"},
           {"functionCall":{"name":"b","args":{},"id":"given-id"}}]},"finishReason":"STOP"}]}"""));
    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
    assertThat(r.content()).containsExactly(
        new Part.ToolCall(ThoughtSignatureIds.fold("call_0", "SIG"), "a", "{\"x\":1.50}", "SIG"),
        new Part.ToolCall("given-id", "b", "{}", null));
    assertThat(r.usage().estimated()).isTrue();
  }

  @Test
  void aSignatureRidesInTheCallsIdAndComesBackFromIt() {
    String signature = java.util.Base64.getEncoder().encodeToString("opaque thought context".repeat(20)
        .getBytes(StandardCharsets.UTF_8));
    Part.ToolCall decoded = (Part.ToolCall) GeminiCodec.decodeResponse(Buffer.buffer("{\"candidates\":[{\"content\":"
        + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{}},\"thoughtSignature\":\""
        + signature + "\"}]},\"finishReason\":\"STOP\"}]}")).content().getFirst();
    // every client protocol takes this alphabet as it is; a canonical base64 signature costs no more than itself
    assertThat(decoded.id()).startsWith("gts_").matches("[a-zA-Z0-9_-]+")
        .hasSizeLessThan(signature.length() + 20);

    // What a client sends back: the id, name and arguments, not the signature.
    List<Message> msgs = List.of(new Message(Role.USER, List.of(Part.Text.of("go"))),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall(decoded.id(), "f", "{}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult(decoded.id(), null, List.of(Part.Text.of("ok")), false,
            null))));
    JsonNode contents = json(GeminiCodec.encodeRequest(request(msgs, List.of(), null, null), "m").body())
        .path("contents");
    assertThat(contents.path(1).path("parts").path(0).path("thoughtSignature").asString()).isEqualTo(signature);
    assertThat(contents.path(2).path("parts").path(0).path("functionResponse").path("name").asString()).isEqualTo("f");
  }

  @Test
  void signatureIdsRoundTripAndLeaveOtherIdsAlone() {
    for (String sig : List.of("SIG", "c2lnbmF0dXJl", "AAECAw==", "sig with spaces ✓", "YQ")) {
      for (String id : List.of("call_0", "given-id", "functions.get:0", "")) {
        String folded = ThoughtSignatureIds.fold(id, sig);
        assertThat(folded).startsWith(ThoughtSignatureIds.PREFIX).matches("[a-zA-Z0-9_-]+");
        assertThat(ThoughtSignatureIds.unfold(folded)).isEqualTo(new ThoughtSignatureIds.Signed(id, sig));
      }
    }
    assertThat(ThoughtSignatureIds.fold("call_0", null)).isEqualTo("call_0");
    for (String other : List.of("call_0", "gts_", "gts_abc", "gts_" + "A".repeat(40), "toolu_01", "gts_!!")) {
      assertThat(ThoughtSignatureIds.unfold(other)).isNull();
    }
  }

  @Test
  void aRetryInfoDetailIsTheRetryAfter() {
    GatewayError limited = GeminiCodec.decodeError(429, Buffer.buffer("""
        {"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[
          {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
          {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13.2s"}]}}"""));
    assertThat(limited.retryAfterSeconds()).isEqualTo(14);
    assertThat(GeminiCodec.decodeError(429, Buffer.buffer("{\"error\":{\"status\":\"RESOURCE_EXHAUSTED\"}}"))
        .retryAfterSeconds()).isEqualTo(-1);
  }

  @Test
  void errorsMapByStatus() {
    assertThatThrownBy(() -> GeminiCodec.decodeResponse(Buffer.buffer(
        "{\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}")))
        .isInstanceOfSatisfying(RejectedException.class, e -> {
          assertThat(e.error().status()).isEqualTo(429);
          assertThat(e.error().kind()).isEqualTo(GatewayError.Kind.RATE_LIMIT);
          assertThat(e.error().message()).isEqualTo("quota");
        });
    GatewayError key = GeminiCodec.decodeError(400, Buffer.buffer("""
        {"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
          "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"""));
    assertThat(key.status()).isEqualTo(502);
    assertThat(key.code()).isEqualTo("upstream_auth_failed");
    assertThat(GeminiCodec.decodeError(503, Buffer.buffer("oops")).kind()).isEqualTo(GatewayError.Kind.UNAVAILABLE);
    assertThat(GeminiCodec.decodeError(404, Buffer.buffer(
        "{\"error\":{\"code\":404,\"message\":\"no model\",\"status\":\"NOT_FOUND\"}}")).kind())
        .isEqualTo(GatewayError.Kind.NOT_FOUND);
    assertThatThrownBy(() -> GeminiCodec.decodeResponse(Buffer.buffer("<html>")))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.error().status()).isEqualTo(502));
  }

  static final String STREAM = "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}],"
      + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":1},\"modelVersion\":\"g\",\"responseId\":\"r\"}\r\n\r\n"
      + "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo ✓\"}]}}]}\n\n"
      + "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"q\":\"x\"}},"
      + "\"thoughtSignature\":\"S\"}]},\"finishReason\":\"STOP\"}],"
      + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":4,\"thoughtsTokenCount\":2}}\n\n";

  static final List<StreamEvent> EXPECTED = List.of(
      new StreamEvent.MessageStart("r", "g", null),
      new StreamEvent.BlockStart(0, StreamEvent.BlockKind.TEXT, null, null),
      new StreamEvent.TextDelta(0, "Hel"),
      new StreamEvent.TextDelta(0, "lo ✓"),
      new StreamEvent.BlockStop(0),
      new StreamEvent.BlockStart(1, StreamEvent.BlockKind.TOOL_CALL, ThoughtSignatureIds.fold("call_0", "S"), "f"),
      new StreamEvent.SignatureDelta(1, "S"),
      new StreamEvent.ToolArgumentsDelta(1, "{\"q\":\"x\"}"),
      new StreamEvent.BlockStop(1),
      new StreamEvent.MessageDelta(StopReason.TOOL_USE, null, new Usage(5, 6, 0, 0, 2, false)),
      new StreamEvent.MessageStop());

  @Test
  void aStreamDecodesInOrderAtEverySplitPoint() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      GeminiStreamDecoder d = new GeminiStreamDecoder();
      List<StreamEvent> events = new ArrayList<>(d.next(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut))));
      events.addAll(d.next(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, bytes.length))));
      events.addAll(d.end());
      assertThat(events).as("cut at %d", cut).isEqualTo(EXPECTED);
    }
    GeminiStreamDecoder d = new GeminiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (byte b : bytes) events.addAll(d.next(Buffer.buffer(new byte[] {b})));
    events.addAll(d.end());
    assertThat(events).isEqualTo(EXPECTED);
  }

  @Test
  void aLastEventWithoutBlankLineAndAPlainStop() {
    GeminiStreamDecoder d = new GeminiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(d.next(Buffer.buffer(
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},\"finishReason\":\"MAX_TOKENS\"}]}")));
    events.addAll(d.end());
    assertThat(events.get(events.size() - 2)).isInstanceOfSatisfying(StreamEvent.MessageDelta.class,
        m -> assertThat(m.stopReason()).isEqualTo(StopReason.MAX_TOKENS));
    assertThat(events.getLast()).isInstanceOf(StreamEvent.MessageStop.class);
  }

  @Test
  void streamErrorsAndTruncationFail() {
    GeminiStreamDecoder d = new GeminiStreamDecoder();
    List<StreamEvent> events = d.next(Buffer.buffer(
        "data: {\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}\n\n"));
    assertThat(events).singleElement().isInstanceOfSatisfying(StreamEvent.Failure.class, f -> {
      assertThat(f.error().status()).isEqualTo(503);
      assertThat(f.error().kind()).isEqualTo(GatewayError.Kind.UNAVAILABLE);
    });
    assertThat(d.end()).isEmpty();
    GeminiStreamDecoder cut = new GeminiStreamDecoder();
    cut.next(Buffer.buffer("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"par\"}]}}]}\n\n"));
    assertThat(cut.end()).singleElement().isInstanceOf(StreamEvent.Failure.class);
  }
}
