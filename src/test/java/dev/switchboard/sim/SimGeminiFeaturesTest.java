package dev.switchboard.sim;

import static dev.switchboard.sim.GeminiCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The answers that make a system instruction, images and parallel function calls visible through Gemini's API, the
 * same as through the other protocols.
 */
final class SimGeminiFeaturesTest {
  private static final String EVERY = "{\"role\":\"user\",\"parts\":[{\"text\":\"Use every tool for Paris.\"}]}";

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
  void repeatsTheSystemInstruction() {
    assertThat(GeminiCalls.text(ok(gemini.generate(GeminiCalls.ask("Repeat the system prompt.",
        ",\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"},{\"text\":\"Answer in French.\"}]}"))), 0))
        .isEqualTo("You are terse.\nAnswer in French.");
    assertThat(GeminiCalls.text(ok(gemini.generate(GeminiCalls.ask("repeat the system prompt", ""))), 0))
        .isEqualTo("(no system prompt)");
  }

  @Test
  void countsInlineAndFileImagesOfTheLastUserContent() {
    String body = "{\"contents\":[{\"role\":\"user\",\"parts\":["
        + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
        + "{\"text\":\"How many images?\"},"
        + "{\"fileData\":{\"mimeType\":\"image/jpeg\",\"fileUri\":\"https://example.com/cat.jpg\"}},"
        + "{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBERi0=\"}},"
        + "{\"inlineData\":{\"mimeType\":\"image/webp\",\"data\":\"UklGRg==\"}}]}]}";
    // the PDF is no image
    assertThat(GeminiCalls.text(ok(gemini.generate(body)), 0))
        .isEqualTo("I see 3 image(s): image/png, url, image/webp");
  }

  @Test
  void callsEveryFunctionAsPartsOfOneTurnOnlyTheFirstSigned() {
    JsonNode first = ok(gemini.generate("{\"contents\":[" + EVERY + "]" + SimGeminiToolsTest.TOOLS + "}"));
    JsonNode parts = first.at("/candidates/0/content/parts");
    assertThat(parts.size()).isEqualTo(2);
    assertThat(parts.get(0).at("/functionCall/name").asString()).isEqualTo("get_weather");
    assertThat(parts.get(1).at("/functionCall/name").asString()).isEqualTo("get_time");
    assertThat(ThoughtSignatures.issuedFor(parts.get(0).path("thoughtSignature").asString())).isEqualTo("get_weather");
    assertThat(parts.get(1).has("thoughtSignature")).isFalse(); // as Gemini signs parallel calls
    SimToolsTest.assertValidWeather(Json.MAPPER.writeValueAsString(parts.get(0).at("/functionCall/args")));
    assertThat(first.at("/candidates/0/finishReason").asString()).isEqualTo("STOP");

    // streamed: one chunk per call, with the same parts
    List<JsonNode> streamedParts = new ArrayList<>();
    for (JsonNode chunk : GeminiCalls.chunks(gemini.stream("{\"contents\":[" + EVERY + "]" + SimGeminiToolsTest.TOOLS
        + "}").body())) {
      for (JsonNode p : chunk.at("/candidates/0/content/parts")) if (p.has("functionCall")) streamedParts.add(p);
    }
    assertThat(streamedParts).containsExactly(parts.get(0), parts.get(1));

    // the turn replayed with both responses: accepted, and both quoted in order
    String responses = "{\"role\":\"user\",\"parts\":["
        + "{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"content\":\"sunny\"}}},"
        + "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"content\":\"14:00\"}}}]}";
    JsonNode second = ok(gemini.generate("{\"contents\":[" + EVERY + ","
        + Json.MAPPER.writeValueAsString(first.at("/candidates/0/content")) + "," + responses + "]"
        + SimGeminiToolsTest.TOOLS + "}"));
    assertThat(GeminiCalls.text(second, 0)).isEqualTo("The tool returned: sunny; 14:00");
  }
}
