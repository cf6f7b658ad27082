package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ask;
import static dev.switchboard.sim.GeminiCalls.ok;
import static dev.switchboard.sim.GeminiCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Gemini {@code generateContent}: the answer's shape, the same content and usage as the other protocols, the ledger. */
final class SimGeminiGenerateTest {
  static SimFixture fx;
  static GeminiCalls gemini;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
    gemini = new GeminiCalls(fx, "a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void answersInGeminisShapeAndTheLedgerMatchesTheUsage() throws Exception {
    JsonNode r = ok(gemini.generate(ask("count to 5", ""), "x-request-id", "g-5"));
    assertThat(r.propertyNames()).containsExactly("candidates", "usageMetadata", "modelVersion", "responseId");
    JsonNode c = r.at("/candidates/0");
    assertThat(c.at("/content/role").asString()).isEqualTo("model");
    assertThat(c.at("/content/parts").size()).isEqualTo(1);
    assertThat(c.at("/content/parts/0/text").asString()).isEqualTo("1 2 3 4 5");
    assertThat(c.path("finishReason").asString()).isEqualTo("STOP");
    assertThat(c.path("index").asInt()).isZero();
    JsonNode u = r.path("usageMetadata");
    int prompt = Tokens.count("count to 5") + 6;
    assertThat(u.path("promptTokenCount").asInt()).isEqualTo(prompt);
    assertThat(u.path("candidatesTokenCount").asInt()).isEqualTo(9);
    assertThat(u.path("totalTokenCount").asInt()).isEqualTo(prompt + 9);
    assertThat(u.has("thoughtsTokenCount")).isFalse();
    assertThat(u.at("/promptTokensDetails/0/modality").asString()).isEqualTo("TEXT");
    assertThat(r.path("modelVersion").asString()).isEqualTo("sim-large");
    assertThat(r.path("responseId").asString()).isNotBlank();

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("g-5")).get(10, TimeUnit.SECONDS);
    assertThat(e.endpoint()).isEqualTo("generateContent");
    assertThat(e.model()).isEqualTo("sim-large");
    assertThat(e.stream()).isFalse();
    assertThat(e.promptTokens()).isEqualTo(prompt);
    assertThat(e.completionTokens()).isEqualTo(9);
    assertThat(e.outcome()).isEqualTo("completed");
  }

  @Test
  void withoutARequestIdTheLedgerUsesTheResponseId() throws Exception {
    String id = ok(gemini.generate(ask("echo: hello", ""))).path("responseId").asString();
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals(id)).get(10, TimeUnit.SECONDS).endpoint())
        .isEqualTo("generateContent");
  }

  @Test
  void sameAnswerAndUsageAsOpenAiForTheSameConversation() {
    JsonNode g = ok(gemini.generate("{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},"
        + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Tell me something.\"}]}]}"));
    ChatCompletion o = fx.client("a").chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-large").addSystemMessage("Be brief.").addUserMessage("Tell me something.").build());
    assertThat(text(g, 0)).isEqualTo(o.choices().getFirst().message().content().orElseThrow());
    assertThat(g.at("/usageMetadata/promptTokenCount").asLong()).isEqualTo(o.usage().orElseThrow().promptTokens());
    assertThat(g.at("/usageMetadata/candidatesTokenCount").asLong())
        .isEqualTo(o.usage().orElseThrow().completionTokens());
  }

  @Test
  void maxOutputTokensStopSequencesAndCandidates() {
    JsonNode cut = ok(gemini.generate(ask("count to 20", ",\"generationConfig\":{\"maxOutputTokens\":3}")));
    assertThat(text(cut, 0)).isEqualTo("1 2");
    assertThat(cut.at("/candidates/0/finishReason").asString()).isEqualTo("MAX_TOKENS");

    JsonNode stopped = ok(gemini.generate(ask("count to 20", ",\"generationConfig\":{\"stopSequences\":[\" 4\"]}")));
    assertThat(text(stopped, 0)).isEqualTo("1 2 3");
    assertThat(stopped.at("/candidates/0/finishReason").asString()).isEqualTo("STOP");

    // proto-JSON accepts the fields' proto names too
    JsonNode two = ok(gemini.generate(ask("count to 3", ",\"generation_config\":{\"candidate_count\":2}")));
    assertThat(two.path("candidates").size()).isEqualTo(2);
    assertThat(two.at("/candidates/1/index").asInt()).isEqualTo(1);
    assertThat(text(two, 1)).isEqualTo("1 2 3");
    assertThat(two.at("/usageMetadata/candidatesTokenCount").asInt()).isEqualTo(2 * Tokens.count("1 2 3"));
  }

  @Test
  void structuredOutput() {
    JsonNode person = Json.MAPPER.readTree(text(ok(gemini.generate(ask("Invent a person.",
        ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseJsonSchema\":"
            + SimToolsTest.PERSON_SCHEMA + "}"))), 0));
    assertThat(person.propertyNames()).containsExactlyInAnyOrder("name", "age", "tags", "address");

    // responseSchema is Gemini's OpenAPI subset, with upper-case type names
    JsonNode city = Json.MAPPER.readTree(text(ok(gemini.generate(ask("A city?",
        ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"OBJECT\","
            + "\"properties\":{\"name\":{\"type\":\"STRING\"},\"people\":{\"type\":\"INTEGER\",\"minimum\":1}},"
            + "\"required\":[\"name\",\"people\"]}}"))), 0));
    assertThat(city.path("name").isString()).isTrue();
    assertThat(city.path("people").isIntegralNumber()).isTrue();

    JsonNode any = Json.MAPPER.readTree(text(ok(gemini.generate(ask("Anything.",
        ",\"generationConfig\":{\"responseMimeType\":\"application/json\"}"))), 0));
    assertThat(any.path("answer").isString()).isTrue();
  }

  @Test
  void thinkingIsBilledAndShownOnlyWhenAsked() throws Exception {
    JsonNode shown = ok(gemini.generate(ask("count to 3", ",\"generationConfig\":{\"thinkingConfig\":"
        + "{\"thinkingBudget\":1024,\"includeThoughts\":true}}"), "x-request-id", "g-think"));
    JsonNode parts = shown.at("/candidates/0/content/parts");
    assertThat(parts.size()).isEqualTo(2);
    assertThat(parts.at("/0/thought").asBoolean()).isTrue();
    assertThat(Tokens.count(parts.at("/0/text").asString())).isEqualTo(GeminiRequest.THOUGHT_TOKENS);
    assertThat(text(shown, 0)).isEqualTo("1 2 3");
    JsonNode u = shown.path("usageMetadata");
    assertThat(u.path("thoughtsTokenCount").asInt()).isEqualTo(GeminiRequest.THOUGHT_TOKENS);
    assertThat(u.path("totalTokenCount").asInt()).isEqualTo(u.path("promptTokenCount").asInt()
        + u.path("candidatesTokenCount").asInt() + GeminiRequest.THOUGHT_TOKENS);
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("g-think")).get(10, TimeUnit.SECONDS)
        .completionTokens()).isEqualTo(u.path("candidatesTokenCount").asInt() + GeminiRequest.THOUGHT_TOKENS);

    JsonNode hidden = ok(gemini.generate(ask("count to 3", ",\"generationConfig\":{\"thinkingConfig\":"
        + "{\"thinkingLevel\":\"low\"}}")));
    assertThat(hidden.at("/candidates/0/content/parts").size()).isEqualTo(1);
    assertThat(hidden.at("/usageMetadata/thoughtsTokenCount").asInt()).isEqualTo(GeminiRequest.THOUGHT_TOKENS);

    JsonNode small = ok(gemini.generate(ask("count to 3", ",\"generationConfig\":{\"thinkingConfig\":"
        + "{\"thinkingBudget\":5}}")));
    assertThat(small.at("/usageMetadata/thoughtsTokenCount").asInt()).isEqualTo(5);
    JsonNode off = ok(gemini.generate(ask("count to 3", ",\"generationConfig\":{\"thinkingConfig\":"
        + "{\"thinkingBudget\":0}}")));
    assertThat(off.path("usageMetadata").has("thoughtsTokenCount")).isFalse();

    GeminiCalls.error(gemini.generate(ask("hi", ",\"generationConfig\":{\"thinkingConfig\":"
        + "{\"thinkingBudget\":100,\"thinkingLevel\":\"HIGH\"}}")), 400, "INVALID_ARGUMENT");
  }

  @Test
  void theKeyComesAsHeaderOrQueryParameter() throws Exception {
    String url = fx.sim.deployment("a").geminiBaseUrl() + "/v1beta/models/sim-large:generateContent";
    HttpResponse<String> none = fx.post(url, ask("hi", ""), "x-request-id", "g-nokey");
    assertThat(GeminiCalls.error(none, 403, "PERMISSION_DENIED").path("message").asString())
        .contains("unregistered callers");
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("g-nokey")).get(10, TimeUnit.SECONDS).outcome())
        .isEqualTo("error:403");
    assertThat(text(ok(fx.post(url + "?key=abc", ask("count to 2", ""))), 0)).isEqualTo("1 2");
  }

  @Test
  void invalidRequestsAreRefusedAsGeminiRefusesThem() throws Exception {
    assertThat(GeminiCalls.message(gemini.generate(ask("hi", ",\"temprature\":1")))).isEqualTo(
        "Invalid JSON payload received. Unknown name \"temprature\": Cannot find field.");
    assertThat(GeminiCalls.message(gemini.generate(ask("hi", ",\"generationConfig\":{\"n\":2}")))).isEqualTo(
        "Invalid JSON payload received. Unknown name \"n\" at 'generation_config': Cannot find field.");
    assertThat(GeminiCalls.message(gemini.generate(
        "{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"hi\"}]}]}")))
        .isEqualTo("Please use a valid role: user, model.");
    assertThat(GeminiCalls.message(gemini.generate("{\"contents\":[{\"role\":\"user\",\"parts\":[]}]}")))
        .contains("contents[0].parts").contains("must not be empty");
    assertThat(GeminiCalls.message(gemini.generate("{\"contents\":[]}"))).contains("contents is not specified");
    assertThat(GeminiCalls.message(gemini.generate("{\"contents\":[{\"parts\":[{\"text\":\"a\",\"inlineData\":"
        + "{\"mimeType\":\"image/png\",\"data\":\"AA==\"}}]}]}"))).contains("Oneof field 'data' is already set");
    assertThat(GeminiCalls.message(gemini.generate("{\"contents\":[{\"parts\":[{\"thought\":true}]}]}")))
        .contains("required oneof field 'data'");
    GeminiCalls.error(gemini.generate(ask("hi", ",\"generationConfig\":{\"temperature\":2.5}")), 400,
        "INVALID_ARGUMENT");
    GeminiCalls.error(gemini.generate(ask("hi", ",\"generationConfig\":{\"maxOutputTokens\":\"many\"}")), 400,
        "INVALID_ARGUMENT");
    GeminiCalls.error(gemini.generate("{not json", "x-request-id", "g-json"), 400, "INVALID_ARGUMENT");
    assertThat(fx.sim.ledger().await(x -> x.requestId().equals("g-json")).get(10, TimeUnit.SECONDS).outcome())
        .isEqualTo("error:400");

    JsonNode missing = GeminiCalls.error(gemini.call("nope", "generateContent", ask("hi", "")), 404, "NOT_FOUND");
    assertThat(missing.path("message").asString()).startsWith("models/nope is not found");
    // an image, a file and a model turn without a role given are all fine
    ok(gemini.generate("{\"contents\":[{\"parts\":[{\"text\":\"look\"},{\"inlineData\":{\"mimeType\":\"image/png\","
        + "\"data\":\"iVBORw0KGgo=\"}},{\"fileData\":{\"mimeType\":\"application/pdf\",\"fileUri\":"
        + "\"https://example.com/a.pdf\"}}]}],\"safetySettings\":[]}"));
  }
}
