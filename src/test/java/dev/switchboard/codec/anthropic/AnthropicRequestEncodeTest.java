package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicRequestDecodeTest.RICH;
import static dev.switchboard.codec.anthropic.AnthropicRequestDecodeTest.RICH_MESSAGES;
import static dev.switchboard.codec.anthropic.AnthropicRequestDecodeTest.SCHEMA;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.assertJson;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.buf;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.q;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.str;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AnthropicRequestEncodeTest {
  static final String V1 = AnthropicCodec.VERSION_2023_06_01;
  static final String V2 = AnthropicCodec.VERSION_2026_10_21;
  static final Message HI = new Message(Role.USER, List.of(Part.Text.of("hi")));
  static final ToolDefinition TOOL = new ToolDefinition("t", null, "{\"type\":\"object\"}", false, null);

  /** A request with everything defaulted; the tests change one thing at a time. */
  static ChatRequest req(List<Message> messages, List<ToolDefinition> tools, ToolChoice choice, Boolean parallel,
      Sampling sampling, Integer max, OutputFormat format, ReasoningConfig reasoning, Map<String, String> metadata,
      String user, int choices) {
    return new ChatRequest("client-model", List.of(), messages, tools, choice, parallel, sampling, max, List.of(),
        format, reasoning, metadata, user, false, choices);
  }

  static ChatRequest simple(List<Message> messages) {
    return req(messages, List.of(), null, null, null, null, null, null, Map.of(), null, 1);
  }

  @Test
  void theRichRequestRoundTripsThroughTheWire() {
    ChatRequest decoded = AnthropicCodec.decodeRequest(buf(RICH), V1).request();
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(decoded, "claude-up");

    assertJson(e.body(), q("""
        {'model': 'claude-up', 'max_tokens': 4096,
         'system': [{'type': 'text', 'text': 'You are terse.', 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}},
                    {'type': 'text', 'text': 'Answer in French.'}],
         'messages': [
           {'role': 'user', 'content': [
             {'type': 'text', 'text': 'What is in this image, and the weather in Paris?'},
             {'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/png', 'data': 'iVBORw0KGgo='}},
             {'type': 'image', 'source': {'type': 'url', 'url': 'https://example.com/cat.jpg'},
              'cache_control': {'type': 'ephemeral'}}]},
           {'role': 'assistant', 'content': [
             {'type': 'thinking', 'thinking': 'The user wants the weather.', 'signature': 'sig-abc'},
             {'type': 'redacted_thinking', 'data': 'ENCRYPTED'},
             {'type': 'text', 'text': 'Let me check.'},
             {'type': 'tool_use', 'id': 'toolu_01', 'name': 'get_weather',
              'input': {'city': 'Paris', 'days': 1.50, 'big': 12345678901234567890}},
             {'type': 'tool_use', 'id': 'sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA', 'name': 'get_weather', 'input': {}}]},
           {'role': 'user', 'content': [
             {'type': 'tool_result', 'tool_use_id': 'toolu_01', 'content': '18°C',
              'cache_control': {'type': 'ephemeral', 'ttl': '5m'}},
             {'type': 'tool_result', 'tool_use_id': 'sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA', 'content': 'failed',
              'is_error': true},
             {'type': 'text', 'text': 'Thanks'}]}],
         'tools': [{'name': 'get_weather', 'description': 'Weather by city',
                    'input_schema': {'type': 'object', 'properties': {'city': {'type': 'string', 'minLength': 1}},
                                     'required': ['city']},
                    'cache_control': {'type': 'ephemeral'}}],
         'tool_choice': {'type': 'auto', 'disable_parallel_tool_use': true},
         'thinking': {'type': 'enabled', 'budget_tokens': 2048},
         'stop_sequences': ['END'],
         'metadata': {'user_id': 'u-1'},
         'stream': true}
        """));
    assertThat(str(e.body())).contains("\"days\":1.50").contains("12345678901234567890");
    // Anthropic allows only temperature 1, no top_k and top_p >= 0.95 while thinking.
    assertThat(e.dropped()).containsExactly("temperature (not allowed with thinking)",
        "top_k (not allowed with thinking)", "top_p (below 0.95 is not allowed with thinking)");

    // And back: the same conversation, tools and settings, less what was dropped.
    ChatRequest again = AnthropicCodec.decodeRequest(e.body(), V2).request();
    assertThat(again).isEqualTo(new ChatRequest("claude-up", decoded.system(), RICH_MESSAGES,
        List.of(new ToolDefinition("get_weather", "Weather by city", SCHEMA, false, CacheMarker.DEFAULT)),
        ToolChoice.AUTO, false, Sampling.DEFAULT, 4096, List.of("END"), null, new ReasoningConfig(null, 2048),
        Map.of("user_id", "u-1"), null, true, 1));
  }

  @Test
  void sameRoleNeighboursAreMergedAndToolResultsGoFirst() {
    // The shape an OpenAI conversation arrives in: a tool message per call, then the user's next words.
    ChatRequest r = simple(List.of(
        HI, new Message(Role.USER, List.of(Part.Text.of("again"))),
        new Message(Role.ASSISTANT, List.of(Part.Text.of(""), new Part.ToolCall("call_a", "t", "{\"x\":1}", null))),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall("call_b", "t", "", null))),
        new Message(Role.USER, List.of(Part.Text.of("and"),
            new Part.ToolResult("call_a", "t", List.of(Part.Text.of("A")), false, null))),
        new Message(Role.USER, List.of(new Part.ToolResult("call_b", "t", List.of(), false, null)))));
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(r, "up");
    assertJson(e.body(), q("""
        {'model': 'up', 'max_tokens': 4096, 'messages': [
          {'role': 'user', 'content': [{'type': 'text', 'text': 'hi'}, {'type': 'text', 'text': 'again'}]},
          {'role': 'assistant', 'content': [
            {'type': 'tool_use', 'id': 'call_a', 'name': 't', 'input': {'x': 1}},
            {'type': 'tool_use', 'id': 'call_b', 'name': 't', 'input': {}}]},
          {'role': 'user', 'content': [
            {'type': 'tool_result', 'tool_use_id': 'call_a', 'content': 'A'},
            {'type': 'tool_result', 'tool_use_id': 'call_b'},
            {'type': 'text', 'text': 'and'}]}]}
        """));
    assertThat(e.dropped()).isEmpty();
  }

  @Test
  void maxTokensIsSuppliedAndMakesRoomForTheThinkingBudget() {
    assertThat(tree(str(AnthropicCodec.encodeRequest(simple(List.of(HI)), "up").body())).get("max_tokens").intValue())
        .isEqualTo(4096);
    assertThat(tree(str(AnthropicCodec.encodeRequest(simple(List.of(HI)), "up", V1, 1000).body()))
        .get("max_tokens").intValue()).isEqualTo(1000);

    ChatRequest budget = req(List.of(HI), List.of(), null, null, null, null, null, new ReasoningConfig(null, 3000),
        Map.of(), null, 1);
    JsonNode b = tree(str(AnthropicCodec.encodeRequest(budget, "up").body()));
    assertThat(b.get("max_tokens").intValue()).isEqualTo(4096 + 3000);
    assertThat(b.get("thinking")).isEqualTo(tree(q("{'type':'enabled','budget_tokens':3000}")));

    ChatRequest effort = req(List.of(HI), List.of(), null, null, null, 20000, null, new ReasoningConfig("high", null),
        Map.of(), null, 1);
    assertThat(tree(str(AnthropicCodec.encodeRequest(effort, "up").body())).get("thinking"))
        .isEqualTo(tree(q("{'type':'enabled','budget_tokens':16384}")));

    // A client maximum below the budget shrinks the budget; below Anthropic's minimum budget, thinking goes.
    ChatRequest shrink = req(List.of(HI), List.of(), null, null, null, 5000, null, new ReasoningConfig(null, 8000),
        Map.of(), null, 1);
    assertThat(tree(str(AnthropicCodec.encodeRequest(shrink, "up").body())).get("thinking").get("budget_tokens")
        .intValue()).isEqualTo(4999);
    ChatRequest tiny = req(List.of(HI), List.of(), null, null, null, 500, null, new ReasoningConfig(null, 8000),
        Map.of(), null, 1);
    AnthropicCodec.Encoded t = AnthropicCodec.encodeRequest(tiny, "up");
    assertThat(tree(str(t.body())).has("thinking")).isFalse();
    assertThat(t.dropped()).containsExactly("reasoning (max_tokens leaves no room for a thinking budget)");
  }

  @Test
  void whatAnthropicCannotTakeIsDroppedAndReported() {
    ChatRequest r = req(List.of(HI), List.of(new ToolDefinition("t", "d", "{\"type\":\"object\"}", true, null)),
        null, null, new Sampling(1.7, 0.5, 3, 42L, 0.1, 0.2), 100,
        new OutputFormat.JsonSchema("s", "{\"type\":\"object\"}", true), null,
        Map.of("user_id", "u1"), "someone-else", 3);
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(r, "up");
    assertThat(e.dropped()).containsExactly("temperature (clamped to 1)", "seed", "presence_penalty",
        "frequency_penalty", "choices", "output_format (json_schema)", "user", "tools.strict");
    JsonNode b = tree(str(e.body()));
    assertThat(b.get("temperature").doubleValue()).isEqualTo(1.0);
    assertThat(b.get("top_p").doubleValue()).isEqualTo(0.5);
    assertThat(b.get("top_k").intValue()).isEqualTo(3);
    assertThat(b.get("metadata")).isEqualTo(tree(q("{'user_id':'u1'}")));

    // The 2026-10-21 API has no sampling parameters at all.
    AnthropicCodec.Encoded v2 = AnthropicCodec.encodeRequest(r, "up", V2, 4096);
    assertThat(v2.dropped()).startsWith("temperature", "top_p", "top_k");
    assertThat(tree(str(v2.body())).has("temperature")).isFalse();

    ChatRequest other = req(List.of(HI), List.of(), new ToolChoice.Named("t"), null, null, null,
        new OutputFormat.JsonObject(), null, Map.of("team", "x", "app", "y"), "end-user", 1);
    AnthropicCodec.Encoded o = AnthropicCodec.encodeRequest(other, "up");
    assertThat(o.dropped()).containsExactly("output_format (json_object)", "tool_choice (no tools)", "metadata.app",
        "metadata.team");
    JsonNode ob = tree(str(o.body()));
    assertThat(ob.has("tool_choice")).isFalse();
    // OpenAI's user is Anthropic's metadata.user_id.
    assertThat(ob.get("metadata")).isEqualTo(tree(q("{'user_id':'end-user'}")));
  }

  @Test
  void toolIdsThatDoNotFitAnthropicsPatternTravelEncodedAndComeBackUnchanged() {
    String odd = "functions.lookup:0";
    ChatRequest r = simple(List.of(HI,
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall(odd, "lookup", "{}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult(odd, null, List.of(Part.Text.of("ok")), false, null)))));
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(r, "up");
    JsonNode messages = tree(str(e.body())).get("messages");
    String wire = messages.get(1).get("content").get(0).get("id").stringValue();
    assertThat(wire).matches("[a-zA-Z0-9_-]+").isEqualTo(messages.get(2).get("content").get(0).get("tool_use_id").stringValue());
    assertThat(AnthropicCodec.decodeRequest(e.body(), V1).request().messages()).isEqualTo(r.messages());
  }

  @Test
  void thinkingIsLeftOffWhereAnthropicWouldRefuseIt() {
    ReasoningConfig think = new ReasoningConfig(null, 2000);
    // A forced tool call.
    ChatRequest forced = req(List.of(HI), List.of(TOOL), ToolChoice.ANY, null, null, null, null, think, Map.of(),
        null, 1);
    AnthropicCodec.Encoded f = AnthropicCodec.encodeRequest(forced, "up");
    assertThat(f.dropped()).containsExactly("reasoning (Anthropic cannot think when a tool call is forced)");
    assertThat(tree(str(f.body())).has("thinking")).isFalse();
    assertThat(tree(str(f.body())).get("tool_choice")).isEqualTo(tree(q("{'type':'any'}")));

    // Continuing a tool turn that another provider answered without signed thinking.
    List<Message> loop = List.of(HI,
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("unsigned", null), new Part.ToolCall("c1", "t", "{}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult("c1", null, List.of(Part.Text.of("r")), false, null))));
    ChatRequest cont = req(loop, List.of(TOOL), null, null, null, null, null, think, Map.of(), null, 1);
    AnthropicCodec.Encoded c = AnthropicCodec.encodeRequest(cont, "up");
    assertThat(c.dropped()).containsExactly("reasoning (no signature)",
        "reasoning (the assistant turn being continued has no signed thinking)");
    JsonNode body = tree(str(c.body()));
    assertThat(body.has("thinking")).isFalse();
    assertThat(body.get("messages").get(1).get("content")).hasSize(1);

    // With a signed thinking block first, thinking stays on.
    List<Message> signed = List.of(HI,
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("why", "sig"), new Part.ToolCall("c1", "t", "{}", null))),
        new Message(Role.USER, List.of(new Part.ToolResult("c1", null, List.of(Part.Text.of("r")), false, null))));
    AnthropicCodec.Encoded s = AnthropicCodec.encodeRequest(
        req(signed, List.of(TOOL), null, null, null, null, null, think, Map.of(), null, 1), "up");
    assertThat(s.dropped()).isEmpty();
    assertThat(tree(str(s.body())).get("thinking").get("budget_tokens").intValue()).isEqualTo(2000);
  }

  @Test
  void anAssistantTurnOfOnlyUnsignedReasoningDisappearsAndItsNeighboursMerge() {
    ChatRequest r = simple(List.of(HI, new Message(Role.ASSISTANT, List.of(new Part.Reasoning("r", null))),
        new Message(Role.USER, List.of(Part.Text.of("more")))));
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(r, "up");
    assertJson(e.body(), q("""
        {'model': 'up', 'max_tokens': 4096, 'messages': [
          {'role': 'user', 'content': [{'type': 'text', 'text': 'hi'}, {'type': 'text', 'text': 'more'}]}]}
        """));
    assertThat(e.dropped()).containsExactly("reasoning (no signature)");
  }

  @Test
  void imagesToolsAndArgumentsAreMadeAcceptable() {
    ChatRequest r = req(List.of(
            new Message(Role.USER, List.of(new Part.Image(null, null, "data:image/jpeg;base64,/9j/4AAQ", null),
                new Part.Image(null, null, "https://x.test/a.png", new CacheMarker("1h")))),
            new Message(Role.ASSISTANT, List.of(new Part.ToolCall("c", "t", "{\"a\": [1, 2.0]}", "gemini-sig"),
                new Part.ToolCall("d", "t", "not json", null))),
            new Message(Role.USER, List.of(new Part.ToolResult("c", null,
                List.of(Part.Text.of("see"), new Part.Image("image/png", "AAA", null, null)), false, null),
                new Part.ToolResult("d", null, List.of(), true, null)))),
        List.of(new ToolDefinition("t", null, "{\"properties\":{}}", false, null)), null, false, null, null, null,
        null, Map.of(), null, 1);
    AnthropicCodec.Encoded e = AnthropicCodec.encodeRequest(r, "up");
    assertJson(e.body(), q("""
        {'model': 'up', 'max_tokens': 4096, 'messages': [
          {'role': 'user', 'content': [
            {'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/jpeg', 'data': '/9j/4AAQ'}},
            {'type': 'image', 'source': {'type': 'url', 'url': 'https://x.test/a.png'},
             'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}]},
          {'role': 'assistant', 'content': [
            {'type': 'tool_use', 'id': 'c', 'name': 't', 'input': {'a': [1, 2.0]}},
            {'type': 'tool_use', 'id': 'd', 'name': 't', 'input': {}}]},
          {'role': 'user', 'content': [
            {'type': 'tool_result', 'tool_use_id': 'c', 'content': [
              {'type': 'text', 'text': 'see'},
              {'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/png', 'data': 'AAA'}}]},
            {'type': 'tool_result', 'tool_use_id': 'd', 'is_error': true}]}],
         'tools': [{'name': 't', 'input_schema': {'type': 'object', 'properties': {}}}],
         'tool_choice': {'type': 'auto', 'disable_parallel_tool_use': true}}
        """));
    assertThat(str(e.body())).contains("{\"a\": [1, 2.0]}");
    assertThat(e.dropped()).containsExactly("tool_call signature", "tool_call arguments (not a JSON object)");
  }
}
