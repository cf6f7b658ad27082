package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ask;
import static dev.switchboard.sim.GeminiCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Gemini's {@code models} listing and {@code countTokens}, beside the other protocols on the same port. */
final class SimGeminiModelsTest {
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
  void listsEveryModelInGeminisShapeAndPages() {
    JsonNode all = ok(gemini.get("/models", true));
    List<String> names = new ArrayList<>();
    for (JsonNode m : all.path("models")) names.add(m.path("name").asString());
    assertThat(names).containsExactly("models/sim-large", "models/sim-small", "models/sim-embed");
    assertThat(all.has("nextPageToken")).isFalse();
    JsonNode large = all.at("/models/0");
    assertThat(large.path("displayName").asString()).isEqualTo("Sim Large");
    assertThat(large.path("supportedGenerationMethods").toString()).contains("generateContent", "countTokens");
    assertThat(large.path("inputTokenLimit").asInt()).isPositive();

    JsonNode first = ok(gemini.get("/models?pageSize=2", true));
    assertThat(first.path("models").size()).isEqualTo(2);
    String token = first.path("nextPageToken").asString();
    JsonNode rest = ok(gemini.get("/models?pageSize=2&pageToken=" + token, true));
    assertThat(rest.at("/models/0/name").asString()).isEqualTo("models/sim-embed");
    assertThat(rest.has("nextPageToken")).isFalse();
    GeminiCalls.error(gemini.get("/models?pageToken=bogus", true), 400, "INVALID_ARGUMENT");

    assertThat(ok(gemini.get("/models/sim-small", true)).path("name").asString()).isEqualTo("models/sim-small");
    GeminiCalls.error(gemini.get("/models/gpt-9", true), 404, "NOT_FOUND");
    GeminiCalls.error(gemini.get("/models", false), 403, "PERMISSION_DENIED");
  }

  @Test
  void theOtherProtocolsKeepTheirListings() {
    JsonNode openAi = Json.MAPPER.readTree(fx.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fx.sim.deployment("a").baseUrl() + "/models")).header("authorization", "Bearer k")
        .GET().build()).body());
    assertThat(openAi.path("object").asString()).isEqualTo("list");
  }

  @Test
  void countTokensIsWhatTheAnswerWouldReport() {
    String system = "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},\"contents\":[{\"role\":\"user\","
        + "\"parts\":[{\"text\":\"Tell me a story.\"}]}]}";
    int prompt = ok(gemini.generate(system)).at("/usageMetadata/promptTokenCount").asInt();
    JsonNode whole = ok(gemini.call("sim-large", "countTokens", "{\"generateContentRequest\":" + system.replace("{\"sys",
        "{\"model\":\"models/sim-large\",\"sys") + "}"));
    assertThat(whole.path("totalTokens").asInt()).isEqualTo(prompt);
    assertThat(whole.at("/promptTokensDetails/0/tokenCount").asInt()).isEqualTo(prompt);

    int contentsOnly = ok(gemini.call("sim-large", "countTokens", ask("Tell me a story.", ""))).path("totalTokens")
        .asInt();
    assertThat(contentsOnly).isEqualTo(ok(gemini.generate(ask("Tell me a story.", "")))
        .at("/usageMetadata/promptTokenCount").asInt());

    GeminiCalls.error(gemini.call("sim-large", "countTokens", "{\"contents\":[],\"generateContentRequest\":"
        + system + "}"), 400, "INVALID_ARGUMENT");
    GeminiCalls.error(gemini.call("nope", "countTokens", ask("hi", "")), 404, "NOT_FOUND");
    assertThat(fx.sim.ledger().entries()).allMatch(e -> e.endpoint().equals("generateContent"));
    GeminiCalls.error(gemini.call("sim-large", "embedContent", ask("hi", "")), 404, "NOT_FOUND");
  }
}
