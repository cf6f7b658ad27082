package dev.switchboard.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What the simulator cannot show about a Gemini upstream: the exact credential and URL the gateway sends, and
 * Gemini's answer to a rejected API key (400 {@code API_KEY_INVALID}, not 401). The upstream is a small loopback
 * server written here that answers with fixed, hand-written Gemini JSON and records every request; everything else
 * is tested against the simulator in {@link GeminiBackendE2ETest}.
 */
final class GeminiUpstreamQuirksTest {
  static final String KEY = "AIza-test-upstream-key";

  record Received(String uri, String apiKey, JsonNode body) {}

  @TempDir static Path dir;
  static Vertx vertx;
  static HttpServer upstream;
  static Gateway gateway;
  static OpenAIClient client;
  static final LinkedBlockingDeque<Received> received = new LinkedBlockingDeque<>();

  static final String TEXT_ANSWER = """
      {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from Gemini"}]},"finishReason":"STOP","index":0}],
       "usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":4,"totalTokenCount":15},
       "modelVersion":"gemini-2.5-flash","responseId":"resp-1"}""";

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonNode json = Json.MAPPER.readTree(body.getBytes());
      received.add(new Received(req.uri(), req.getHeader("x-goog-api-key"), json));
      if (req.uri().contains("gemini-bad-key")) {
        // What Gemini answers a rejected API key: 400, not 401.
        req.response().setStatusCode(400).putHeader("content-type", "application/json").end("{\"error\":{\"code\":400,"
            + "\"message\":\"API key not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\","
            + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}");
      } else {
        req.response().putHeader("content-type", "application/json").end(TEXT_ANSWER);
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - name: google
            type: gemini
            base_url: http://127.0.0.1:%d
            api_key: %s
        models:
          - {name: gem, provider: google, model: gemini-2.5-flash}
          - {name: gem-bad-key, provider: google, model: gemini-bad-key}
        """.formatted(upstream.actualPort(), KEY));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "front-key");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, ExchangeObserver.NONE);
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("front-key").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    if (vertx != null) vertx.close();
  }

  @BeforeEach
  void clear() {
    received.clear();
  }

  @Test
  void aRejectedGeminiKeyIsTheGatewaysProblemNotTheClients() {
    assertThatThrownBy(() -> client.chat().completions().create(
        com.openai.models.chat.completions.ChatCompletionCreateParams.builder().model("gem-bad-key")
            .addUserMessage("hi").build()))
        .isInstanceOfSatisfying(com.openai.errors.InternalServerException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(502);
          assertThat(e.getMessage()).contains("google");
        });
  }

  @Test
  void aPlainAnswerAndTheRequestSentUpstream() throws Exception {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("gem")
        .addSystemMessage("Be brief.").addUserMessage("Say hello").maxCompletionTokens(50L).temperature(0.3).build());
    c.validate();
    assertThat(c.choices().getFirst().message().content()).contains("Hello from Gemini");
    assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(11);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4);

    Received r = received.poll(5, TimeUnit.SECONDS);
    assertThat(r.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(r.apiKey()).isEqualTo(KEY);
    assertThat(r.body().path("systemInstruction").path("parts").path(0).path("text").asString()).isEqualTo("Be brief.");
    assertThat(r.body().path("contents").path(0).path("role").asString()).isEqualTo("user");
    assertThat(r.body().path("contents").path(0).path("parts").path(0).path("text").asString()).isEqualTo("Say hello");
    assertThat(r.body().path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(50);
  }
}
