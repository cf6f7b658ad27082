package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The answers that make a system prompt and images visible, so a test can see that a translation kept them: "repeat
 * the system prompt" and "how many images", in OpenAI's and Anthropic's request shapes, streamed and not.
 */
final class SimSystemPromptAndImagesTest {
  private static final String PNG = "iVBORw0KGgo=";
  private static final String JPEG = "/9j/4AAQSkZJRg==";

  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static JsonNode openAi(String body) {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", body,
        "authorization", "Bearer k");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static HttpResponse<String> anthropicRaw(String body) {
    return fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages", body,
        "x-api-key", "k", "anthropic-version", "2023-06-01");
  }

  static JsonNode anthropic(String body) {
    HttpResponse<String> r = anthropicRaw(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  private static String openAiText(String body) {
    return openAi(body).at("/choices/0/message/content").asString();
  }

  private static String anthropicText(String body) {
    return anthropic(body).at("/content/0/text").asString();
  }

  /** The text of a streamed Anthropic answer, joined from its text deltas. */
  private static String anthropicStreamedText(String body) {
    HttpResponse<String> r = anthropicRaw(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    for (String line : r.body().split("\n")) {
      if (!line.startsWith("data: ")) continue;
      JsonNode data = Json.MAPPER.readTree(line.substring("data: ".length()));
      if (data.path("type").asString().equals("content_block_delta")) text.append(data.at("/delta/text").asString());
    }
    return text.toString();
  }

  @Test
  void openAiRepeatsSystemAndDeveloperMessagesJoined() {
    assertThat(openAiText("""
        {"model":"sim-large","messages":[
          {"role":"system","content":"You are terse."},
          {"role":"developer","content":[
            {"type":"text","text":"Answer in French."},{"type":"text","text":"No emoji."}]},
          {"role":"user","content":"Please REPEAT the System Prompt."}]}"""))
        .isEqualTo("You are terse.\nAnswer in French.\nNo emoji.");
    assertThat(openAiText("""
        {"model":"sim-large","messages":[{"role":"user","content":"repeat the system prompt"}]}"""))
        .isEqualTo("(no system prompt)");
  }

  @Test
  void anthropicRepeatsTheSystemStringBlocksAndSystemMessages() {
    assertThat(anthropicText("""
        {"model":"sim-large","max_tokens":100,"system":"You are terse.",
         "messages":[{"role":"user","content":"repeat the system prompt"}]}"""))
        .isEqualTo("You are terse.");
    String blocks = """
        {"model":"sim-large","max_tokens":100,%s
         "system":[{"type":"text","text":"You are terse."},
                   {"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"system","content":"No emoji."},
                     {"role":"user","content":[{"type":"text","text":"Repeat the system prompt, please."}]}]}""";
    assertThat(anthropicText(blocks.formatted(""))).isEqualTo("You are terse.\nAnswer in French.\nNo emoji.");
    assertThat(anthropicStreamedText(blocks.formatted("\"stream\":true,")))
        .isEqualTo("You are terse.\nAnswer in French.\nNo emoji.");
    assertThat(anthropicText("""
        {"model":"sim-large","max_tokens":100,"messages":[{"role":"user","content":"repeat the system prompt"}]}"""))
        .isEqualTo("(no system prompt)");
  }

  @Test
  void openAiCountsTheImagesOfTheLastUserMessage() {
    String body = """
        {"model":"sim-large",%s"messages":[
          {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/gif;base64,R0lGOD"}}]},
          {"role":"assistant","content":"A cat."},
          {"role":"user","content":[
            {"type":"text","text":"How many images do you see?"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
            {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}},
            {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,%s"}}]}]}""";
    String expected = "I see 3 image(s): image/png, url, image/jpeg";
    assertThat(openAiText(body.formatted("", PNG, JPEG))).isEqualTo(expected);

    HttpResponse<String> streamed = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions",
        body.formatted("\"stream\":true,", PNG, JPEG), "authorization", "Bearer k");
    StringBuilder text = new StringBuilder();
    for (String line : streamed.body().split("\n")) {
      if (!line.startsWith("data: {")) continue;
      JsonNode content = Json.MAPPER.readTree(line.substring("data: ".length())).at("/choices/0/delta/content");
      if (content.isString()) text.append(content.asString());
    }
    assertThat(text.toString()).isEqualTo(expected);

    assertThat(openAiText("""
        {"model":"sim-large","messages":[{"role":"user","content":"how many images?"}]}"""))
        .isEqualTo("I see 0 image(s): ");
  }

  @Test
  void anthropicCountsBase64AndUrlImages() {
    assertThat(anthropicText("""
        {"model":"sim-large","max_tokens":100,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}},
          {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
          {"type":"text","text":"How many images are there?"},
          {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"%s"}}]}]}"""
        .formatted(PNG, JPEG)))
        .isEqualTo("I see 3 image(s): image/png, url, image/jpeg");
  }

  @Test
  void anthropicRejectsImagesItWouldReject() {
    HttpResponse<String> svg = anthropicRaw("""
        {"model":"sim-large","max_tokens":100,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"base64","media_type":"image/svg+xml","data":"PHN2Zz4="}}]}]}""");
    assertThat(svg.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(svg.body()).at("/error/message").asString())
        .startsWith("messages.0.content.0.source.base64.media_type: Input should be 'image/jpeg'");

    HttpResponse<String> noData = anthropicRaw("""
        {"model":"sim-large","max_tokens":100,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"base64","media_type":"image/png"}}]}]}""");
    assertThat(noData.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(noData.body()).at("/error/message").asString())
        .isEqualTo("messages.0.content.0.source.base64.data: Field required");
  }
}
