package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicTestSupport.buf;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.q;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.rejected;
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
import dev.switchboard.exchange.GatewayError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicRequestDecodeTest {
  static final String V1 = AnthropicCodec.VERSION_2023_06_01;
  static final String V2 = AnthropicCodec.VERSION_2026_10_21;

  /** Every feature at once: both system placements, images, thinking, tools and their results, caching. */
  static final String RICH = q("""
      {
        'model': 'claude-sonnet',
        'max_tokens': 4096,
        'system': [{'type': 'text', 'text': 'You are terse.', 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}],
        'messages': [
          {'role': 'system', 'content': 'Answer in French.'},
          {'role': 'user', 'content': [
            {'type': 'text', 'text': 'What is in this image, and the weather in Paris?'},
            {'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/png', 'data': 'iVBORw0KGgo='}},
            {'type': 'image', 'source': {'type': 'url', 'url': 'https://example.com/cat.jpg'},
             'cache_control': {'type': 'ephemeral'}}
          ]},
          {'role': 'assistant', 'content': [
            {'type': 'thinking', 'thinking': 'The user wants the weather.', 'signature': 'sig-abc'},
            {'type': 'redacted_thinking', 'data': 'ENCRYPTED'},
            {'type': 'text', 'text': 'Let me check.'},
            {'type': 'tool_use', 'id': 'toolu_01', 'name': 'get_weather',
             'input': {'city': 'Paris', 'days': 1.50, 'big': 12345678901234567890}},
            {'type': 'tool_use', 'id': 'sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA', 'name': 'get_weather', 'input': {}}
          ]},
          {'role': 'user', 'content': [
            {'type': 'tool_result', 'tool_use_id': 'toolu_01', 'content': [{'type': 'text', 'text': '18°C'}],
             'cache_control': {'type': 'ephemeral', 'ttl': '5m'}},
            {'type': 'tool_result', 'tool_use_id': 'sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA', 'content': 'failed',
             'is_error': true},
            {'type': 'text', 'text': 'Thanks'}
          ]}
        ],
        'tools': [
          {'name': 'get_weather', 'description': 'Weather by city',
           'input_schema': {'type': 'object', 'properties': {'city': {'type': 'string', 'minLength': 1}},
                            'required': ['city']},
           'cache_control': {'type': 'ephemeral'}},
          {'type': 'web_search_20250305', 'name': 'web_search', 'max_uses': 3}
        ],
        'tool_choice': {'type': 'auto', 'disable_parallel_tool_use': true},
        'thinking': {'type': 'enabled', 'budget_tokens': 2048},
        'stop_sequences': ['END'],
        'temperature': 0.5, 'top_p': 0.9, 'top_k': 40,
        'metadata': {'user_id': 'u-1'},
        'stream': true,
        'service_tier': 'auto'
      }
      """);

  static final String SCHEMA =
      q("{'type':'object','properties':{'city':{'type':'string','minLength':1}},'required':['city']}");

  static final List<Message> RICH_MESSAGES = List.of(
      new Message(Role.USER, List.of(
          Part.Text.of("What is in this image, and the weather in Paris?"),
          new Part.Image("image/png", "iVBORw0KGgo=", null, null),
          new Part.Image(null, null, "https://example.com/cat.jpg", CacheMarker.DEFAULT))),
      new Message(Role.ASSISTANT, List.of(
          new Part.Reasoning("The user wants the weather.", "sig-abc"),
          new Part.RedactedReasoning("ENCRYPTED"),
          Part.Text.of("Let me check."),
          new Part.ToolCall("toolu_01", "get_weather", q("{'city':'Paris','days':1.50,'big':12345678901234567890}"), null),
          new Part.ToolCall("functions.get_weather:0", "get_weather", "{}", null))),
      new Message(Role.USER, List.of(
          new Part.ToolResult("toolu_01", null, List.of(Part.Text.of("18°C")), false, new CacheMarker("5m")),
          new Part.ToolResult("functions.get_weather:0", null, List.of(Part.Text.of("failed")), true, null),
          Part.Text.of("Thanks"))));

  @Test
  void aRichRequestDecodesIntoTheCanonicalModel() {
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(buf(RICH), V1);

    ChatRequest expected = new ChatRequest("claude-sonnet",
        List.of(new Part.Text("You are terse.", new CacheMarker("1h")), Part.Text.of("Answer in French.")),
        RICH_MESSAGES,
        List.of(new ToolDefinition("get_weather", "Weather by city", SCHEMA, false, CacheMarker.DEFAULT)),
        ToolChoice.AUTO, false, new Sampling(0.5, 0.9, 40, null, null, null), 4096, List.of("END"), null,
        new ReasoningConfig(null, 2048), Map.of("user_id", "u-1"), null, true, 1);
    assertThat(d.request()).isEqualTo(expected);
    assertThat(d.dropped()).containsExactly("tools.1 (web_search_20250305)", "service_tier");
  }

  @Test
  void opaqueJsonKeepsItsNumbersExactly() {
    ChatRequest r = AnthropicCodec.decodeRequest(buf(RICH), V1).request();
    Part.ToolCall call = (Part.ToolCall) r.messages().get(1).parts().get(3);
    assertThat(call.arguments()).contains("1.50").contains("12345678901234567890");
  }

  @Test
  void version20261021AcceptsTheSameRequestWithoutSamplingParameters() {
    String body = RICH.replace(q("'temperature': 0.5, 'top_p': 0.9, 'top_k': 40,"), "");
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(buf(body), V2);
    assertThat(d.request().sampling()).isEqualTo(Sampling.DEFAULT);
    assertThat(d.request().messages()).isEqualTo(RICH_MESSAGES);
    assertThat(d.dropped()).containsExactly("tools.1 (web_search_20250305)", "service_tier");
    // Later versions keep the 2026-10-21 rules.
    assertThat(rejected(() -> AnthropicCodec.decodeRequest(buf(RICH), "2027-01-01")).param()).isEqualTo("temperature");
  }

  @Test
  void aMinimalRequestHasDefaultsEverywhere() {
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(
        buf(q("{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}")), V2);
    assertThat(d.request()).isEqualTo(new ChatRequest("m", List.of(),
        List.of(new Message(Role.USER, List.of(Part.Text.of("hi")))), List.of(), null, null, Sampling.DEFAULT, 10,
        List.of(), null, null, Map.of(), null, false, 1));
    assertThat(d.dropped()).isEmpty();
  }

  @Test
  void systemMessagesInsideMessagesJoinTheTopLevelSystemPrompt() {
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(buf(q("""
        {'messages': [
           {'role': 'system', 'content': [{'type': 'text', 'text': 'A', 'cache_control': {'type': 'ephemeral'}}]},
           {'role': 'user', 'content': 'hi'},
           {'role': 'system', 'content': 'B'}],
         'system': 'Top', 'model': 'm', 'max_tokens': 5}
        """)), V2);
    assertThat(d.request().system())
        .containsExactly(Part.Text.of("Top"), new Part.Text("A", CacheMarker.DEFAULT), Part.Text.of("B"));
    assertThat(d.request().messages()).hasSize(1);
  }

  @Test
  void toolChoicesAndParallelism() {
    String base = "{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],"
        + "'tools':[{'name':'t','input_schema':{'type':'object'}}],'tool_choice':%s}";
    record Case(String choice, ToolChoice expected, Boolean parallel) {}
    for (Case c : List.of(
        new Case("{'type':'auto'}", ToolChoice.AUTO, null),
        new Case("{'type':'any','disable_parallel_tool_use':false}", ToolChoice.ANY, true),
        new Case("{'type':'none'}", ToolChoice.NONE, null),
        new Case("{'type':'tool','name':'t','disable_parallel_tool_use':true}", new ToolChoice.Named("t"), false))) {
      ChatRequest r = AnthropicCodec.decodeRequest(buf(q(base.formatted(c.choice()))), V1).request();
      assertThat(r.toolChoice()).as(c.choice()).isEqualTo(c.expected());
      assertThat(r.parallelToolCalls()).as(c.choice()).isEqualTo(c.parallel());
    }
  }

  @Test
  void droppedFeaturesAreNamedWhereTheClientPutThem() {
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(buf(q("""
        {'model': 'm', 'max_tokens': 5, 'container': 'c1', 'thinking': {'type': 'adaptive'},
         'metadata': {'user_id': 'u', 'team': 'x'},
         'output_config': {'effort': 'high', 'format': {'type': 'json_schema', 'schema': {'type': 'object'}}},
         'tools': [{'name': 't', 'input_schema': {'type': 'object'}, 'input_examples': [{}], 'strict': true},
                   {'type': 'bash_20250124', 'name': 'bash'}],
         'messages': [
           {'role': 'user', 'content': [
             {'type': 'text', 'text': 'see', 'citations': [{'type': 'char_location'}]},
             {'type': 'document', 'source': {'type': 'text', 'media_type': 'text/plain', 'data': 'The grass is green.'},
              'title': 'Doc'},
             {'type': 'search_result', 'source': 'x', 'title': 't', 'content': []}]},
           {'role': 'assistant', 'content': [
             {'type': 'server_tool_use', 'id': 'srvtoolu_1', 'name': 'web_search', 'input': {}},
             {'type': 'web_search_tool_result', 'tool_use_id': 'srvtoolu_1', 'content': []},
             {'type': 'tool_use', 'id': 'toolu_1', 'name': 't', 'input': {}, 'cache_control': {'type': 'ephemeral'}}]},
           {'role': 'user', 'content': [
             {'type': 'tool_result', 'tool_use_id': 'toolu_1', 'content': [
               {'type': 'document', 'source': {'type': 'content', 'content': [{'type': 'text', 'text': 'inner'}]}}]}]}]}
        """)), V1);
    assertThat(d.dropped()).containsExactly(
        "container", "thinking (adaptive)", "metadata.team", "output_config.effort", "tools.0.input_examples",
        "tools.1 (bash_20250124)",
        "messages.0.content.0.citations", "messages.0.content.1 (document, kept as text)",
        "messages.0.content.2 (search_result)",
        "messages.1.content.0 (server_tool_use)", "messages.1.content.1 (web_search_tool_result)",
        "messages.1.content.2.cache_control",
        "messages.2.content.0.content.0 (document, kept as text)");
    ChatRequest r = d.request();
    assertThat(r.reasoning()).isNull();
    assertThat(r.metadata()).isEqualTo(Map.of("user_id", "u"));
    assertThat(r.outputFormat()).isEqualTo(new OutputFormat.JsonSchema(null, q("{'type':'object'}"), true));
    assertThat(r.tools()).extracting(ToolDefinition::strict).containsExactly(true);
    assertThat(r.messages().get(0).parts()).containsExactly(Part.Text.of("see"), Part.Text.of("The grass is green."));
    assertThat(r.messages().get(1).parts()).containsExactly(new Part.ToolCall("toolu_1", "t", "{}", null));
    assertThat(r.messages().get(2).parts()).containsExactly(
        new Part.ToolResult("toolu_1", null, List.of(Part.Text.of("inner")), false, null));
  }

  @Test
  void anEmptyThinkingSignatureIsNoSignature() {
    ChatRequest r = AnthropicCodec.decodeRequest(buf(q("""
        {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'q'},
          {'role':'assistant','content':[{'type':'thinking','thinking':'hm','signature':''},{'type':'text','text':'a'}]}]}
        """)), V1).request();
    assertThat(r.messages().get(1).parts().getFirst()).isEqualTo(new Part.Reasoning("hm", null));
  }

  /** Each row: the body (single quotes), the version, the field the 400 names, and its message. */
  @ParameterizedTest(name = "{2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      {'model':'m','messages':[{'role':'user','content':'hi'}]} | 2023-06-01 | max_tokens | max_tokens: Field required
      {'max_tokens':5,'messages':[{'role':'user','content':'hi'}]} | 2023-06-01 | model | model: Field required
      {'model':'m','max_tokens':5} | 2023-06-01 | messages | messages: Field required
      {'model':'m','max_tokens':5,'messages':[]} | 2023-06-01 | messages | messages: List should have at least 1 item after validation, not 0
      {'model':'m','max_tokens':5,'messages':{}} | 2023-06-01 | messages | messages: Input should be a valid list
      {'model':'m','max_tokens':'5','messages':[{'role':'user','content':'hi'}]} | 2023-06-01 | max_tokens | max_tokens: Input should be a valid integer
      {'model':'m','max_tokens':0,'messages':[{'role':'user','content':'hi'}]} | 2023-06-01 | max_tokens | max_tokens: Input should be greater than or equal to 1
      {'model':'m','max_tokens':5,'messages':[{'role':'tool','content':'hi'}]} | 2023-06-01 | messages.0.role | messages.0.role: Input should be 'user', 'assistant' or 'system'
      {'model':'m','max_tokens':5,'messages':[{'role':'user'}]} | 2023-06-01 | messages.0.content | messages.0.content: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'q'},{'role':'user','content':[{'type':'tool_result','content':'x'}]}]} | 2023-06-01 | messages.1.content.0.tool_use_id | messages.1.content.0.tool_use_id: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':[{'type':'tool_use','id':'a','name':'t'}]}]} | 2023-06-01 | messages.1.content.0.input | messages.1.content.0.input: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'tool_use','id':'a','name':'t','input':'{}'}]}]} | 2023-06-01 | messages.0.content.0.input | messages.0.content.0.input: Input should be a valid dictionary
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'text':'x'}]}]} | 2023-06-01 | messages.0.content.0 | messages.0.content.0: Unable to extract tag using discriminator 'type'
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'image','source':{'type':'file','file_id':'f'}}]}]} | 2023-06-01 | messages.0.content.0.source | messages.0.content.0.source: images from the Files API (file_id) cannot be sent to this model's provider; send the image as base64 or url
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'document','source':{'type':'base64','media_type':'application/pdf','data':'JVBER'}}]}]} | 2023-06-01 | messages.0.content.0.source | messages.0.content.0.source: documents with a 'base64' source (PDF or file) cannot be sent to this model's provider; send the document's text as a text block instead
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'text','text':'x','cache_control':{'type':'ephemeral','ttl':'2h'}}]}]} | 2023-06-01 | messages.0.content.0.cache_control.ttl | messages.0.content.0.cache_control.ttl: Input should be '5m' or '1h'
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'tools':[{'name':'t'}]} | 2023-06-01 | tools.0.input_schema | tools.0.input_schema: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'tool_choice':{'type':'tool'}} | 2023-06-01 | tool_choice.name | tool_choice.name: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'thinking':{'type':'enabled'}} | 2023-06-01 | thinking.budget_tokens | thinking.budget_tokens: Field required
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'temperature':1.5} | 2023-06-01 | temperature | temperature: Input should be less than or equal to 1
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'stop_sequences':['a',1]} | 2023-06-01 | stop_sequences.1 | stop_sequences.1: Input should be a valid string
      {'model':'m','max_tokens':5,'messages':[{'role':'system','content':'only me'}]} | 2023-06-01 | messages | messages: at least one user or assistant message is required (system messages alone are not a conversation)
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'temperature':0.5} | 2026-10-21 | temperature | temperature: this parameter is not supported with anthropic-version 2026-10-21 (temperature, top_p and top_k were removed); remove it, or send anthropic-version 2023-06-01
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'top_k':5} | 2026-10-21 | top_k | top_k: this parameter is not supported with anthropic-version 2026-10-21 (temperature, top_p and top_k were removed); remove it, or send anthropic-version 2023-06-01
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'top_p':0.5} | 2026-10-21 | top_p | top_p: this parameter is not supported with anthropic-version 2026-10-21 (temperature, top_p and top_k were removed); remove it, or send anthropic-version 2023-06-01
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'},{'role':'assistant','content':[{'type':'document','source':{'type':'text','media_type':'text/plain','data':'d'}}]}]} | 2026-10-21 | messages.1.content.0 | messages.1.content.0: document blocks are not allowed in assistant messages with anthropic-version 2026-10-21
      {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'text','text':'x','citations':[{'type':'char_location'}]}]}]} | 2026-10-21 | messages.0.content.0.citations | messages.0.content.0.citations: text blocks with citations are not allowed in user messages with anthropic-version 2026-10-21
      """)
  void invalidRequestsAre400sThatNameTheField(String body, String version, String field, String message) {
    GatewayError e = rejected(() -> AnthropicCodec.decodeRequest(buf(q(body)), version));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.kind()).isEqualTo(GatewayError.Kind.INVALID_REQUEST);
    assertThat(e.param()).isEqualTo(field);
    assertThat(e.message()).isEqualTo(message);
    assertThat(AnthropicErrorFormat.type(e)).isEqualTo("invalid_request_error");
  }

  @Test
  void anUnknownBlockTypeListsTheExpectedTags() {
    GatewayError e = rejected(() -> AnthropicCodec.decodeRequest(
        buf(q("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'video'}]}]}")), V1));
    assertThat(e.param()).isEqualTo("messages.0.content.0.type");
    assertThat(e.message()).startsWith("messages.0.content.0.type: Input tag 'video' found using 'type' does not "
        + "match any of the expected tags: 'text', 'image', ");
  }

  @Test
  void badJsonAndMissingVersionsAreNamed() {
    GatewayError json = rejected(() -> AnthropicCodec.decodeRequest(buf("{\"model\": "), V1));
    assertThat(json.code()).isEqualTo("invalid_json");
    assertThat(json.message()).startsWith("There was an issue with your request body: it is not valid JSON: ");
    assertThat(rejected(() -> AnthropicCodec.decodeRequest(buf("[]"), V1)).code()).isEqualTo("invalid_json");
    assertThat(rejected(() -> AnthropicCodec.decodeRequest(buf("{} {}"), V1)).code()).isEqualTo("invalid_json");
    GatewayError version = rejected(() -> AnthropicCodec.decodeRequest(buf("{}"), null));
    assertThat(version.param()).isEqualTo("anthropic-version");
    assertThat(version.message()).isEqualTo(
        "anthropic-version: header is required; send 'anthropic-version: 2023-06-01' or '2026-10-21'");
    assertThat(rejected(() -> AnthropicCodec.decodeRequest(buf("{}"), "latest")).param()).isEqualTo("anthropic-version");
  }

  @Test
  void aPlatformBodyTakesModelAndStreamingFromTheUrlAndRefusesThemInTheBody() {
    String body = q("{'anthropic_version': 'bedrock-2023-05-31', 'max_tokens': 10, 'temperature': 0.5, "
        + "'messages': [{'role': 'user', 'content': 'hi'}]}");
    AnthropicCodec.Decoded d = AnthropicCodec.decodePlatformRequest(AnthropicTestSupport.tree(body), "acme/claude",
        true, V1);
    assertThat(d.request().model()).isEqualTo("acme/claude");
    assertThat(d.request().stream()).isTrue();
    assertThat(d.request().sampling().temperature()).isEqualTo(0.5);
    assertThat(d.dropped()).as("the platform's version is not a lost feature").isEmpty();

    for (String field : List.of("'model': 'x'", "'stream': true")) {
      String with = q("{" + field + ", 'max_tokens': 10, 'messages': [{'role': 'user', 'content': 'hi'}]}");
      GatewayError e = rejected(() -> AnthropicCodec.decodePlatformRequest(AnthropicTestSupport.tree(with), "m",
          false, V1));
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.message()).contains("Extra inputs are not permitted");
    }
  }
}
