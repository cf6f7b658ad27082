package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Gemini calls to one simulated deployment with {@code java.net.http} (there is no official Gemini SDK for Java among
 * the test dependencies), and strict readers for what comes back. Not a test itself.
 */
final class GeminiCalls {
  static final String KEY = "AIza-sim-test";
  private final SimFixture fx;
  private final String base;

  GeminiCalls(SimFixture fx, String deployment) {
    this.fx = fx;
    this.base = fx.sim.deployment(deployment).geminiBaseUrl() + "/v1beta/models/";
  }

  /** {@code POST …/{model}:{method}} with the API key header and any further header pairs. */
  HttpResponse<String> call(String model, String method, String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "x-goog-api-key";
    all[1] = KEY;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return fx.post(base + model + ":" + method, body, all);
  }

  HttpResponse<String> generate(String body, String... headers) {
    return call("sim-large", "generateContent", body, headers);
  }

  HttpResponse<String> stream(String body, String... headers) {
    return call("sim-large", "streamGenerateContent?alt=sse", body, headers);
  }

  /** {@code GET /v1beta<pathAndQuery>}, with or without the key. */
  HttpResponse<String> get(String pathAndQuery, boolean withKey) {
    String root = base.substring(0, base.length() - "/models/".length());
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + pathAndQuery))
        .timeout(Duration.ofSeconds(20)).GET();
    if (withKey) b.header("x-goog-api-key", KEY);
    return fx.send(b.build());
  }

  /** A body of one user turn saying {@code text}, with more top-level fields appended verbatim ({@code ,"x":…}). */
  static String ask(String text, String more) {
    return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":" + Json.MAPPER.writeValueAsString(text)
        + "}]}]" + more + "}";
  }

  /** A 200 answer's JSON. */
  static JsonNode ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  /** The answer text of candidate {@code i}: its non-thought text parts, joined. */
  static String text(JsonNode response, int i) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode p : response.path("candidates").path(i).path("content").path("parts")) {
      if (p.has("text") && !p.path("thought").asBoolean(false)) sb.append(p.get("text").asString());
    }
    return sb.toString();
  }

  /**
   * The chunks of an SSE stream, checked to be Gemini's framing: every event a single {@code data: <json>} line
   * ending in a blank line, no event names, no {@code [DONE]}.
   */
  static List<JsonNode> chunks(String sse) {
    assertThat(sse).endsWith("\n\n").doesNotContain("[DONE]").doesNotContain("event:");
    List<JsonNode> out = new ArrayList<>();
    for (String event : sse.substring(0, sse.length() - 2).split("\n\n", -1)) {
      assertThat(event).startsWith("data: ").doesNotContain("\n");
      out.add(Json.MAPPER.readTree(event.substring(6)));
    }
    return out;
  }

  /** An error answer: Google's shape, exactly {@code code}, {@code message} and {@code status} (plus details). */
  static JsonNode error(HttpResponse<String> r, int status, String name) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode root = Json.MAPPER.readTree(r.body());
    assertThat(root.propertyNames()).containsExactly("error");
    JsonNode e = root.get("error");
    assertThat(e.path("code").asInt()).isEqualTo(status);
    assertThat(e.path("status").asString()).isEqualTo(name);
    assertThat(e.path("message").asString()).isNotBlank();
    return e;
  }

  static String message(HttpResponse<String> r) {
    return Json.MAPPER.readTree(r.body()).at("/error/message").asString();
  }
}
