package dev.switchboard.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * A Gemini upstream behind Switchboard, reached by the official OpenAI SDK. The upstream is a small loopback
 * server written here that answers {@code generateContent} and {@code streamGenerateContent?alt=sse} with
 * fixed, hand-written Gemini JSON and records every request.
 */
final class GeminiBackendE2ETest {
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
  static final String CALL_ANSWER = """
      {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}},
         "thoughtSignature":"c2lnbmF0dXJl"}]},"finishReason":"STOP","index":0}],
       "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"totalTokenCount":25},
       "modelVersion":"gemini-2.5-flash","responseId":"resp-2"}""";
  static final String STREAM = """
      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"One, "}]},"index":0}],"modelVersion":"gemini-2.5-flash","responseId":"resp-3"}

      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"two, "}]},"index":0}]}

      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"three."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":6,"totalTokenCount":15}}

      """;

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
      } else if (req.uri().contains(":streamGenerateContent")) {
        req.response().putHeader("content-type", "text/event-stream").setChunked(true);
        for (String piece : STREAM.split("(?<=\n\n)")) req.response().write(piece);
        req.response().end();
      } else {
        boolean toolTurn = json.has("tools") && !json.toString().contains("functionResponse");
        req.response().putHeader("content-type", "application/json").end(toolTurn ? CALL_ANSWER : TEXT_ANSWER);
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

  @Test
  void aStreamIsAccumulatedBySdk() throws Exception {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("gem").addUserMessage("count")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      s.stream().forEach(acc::accumulate);
    }
    ChatCompletion c = acc.chatCompletion();
    assertThat(c.choices().getFirst().message().content()).contains("One, two, three.");
    assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(6);
    Received r = received.poll(5, TimeUnit.SECONDS);
    assertThat(r.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(r.apiKey()).isEqualTo(KEY);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFunctionCallBecomesToolCallsAndItsResultGoesBackByName() throws Exception {
    FunctionParameters.Builder params = FunctionParameters.builder();
    Json.MAPPER.readValue("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", Map.class)
        .forEach((k, v) -> params.putAdditionalProperty((String) k, JsonValue.from(v)));
    ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder().name("get_weather").parameters(params.build()).build()).build();
    ChatCompletion first = client.chat().completions().create(ChatCompletionCreateParams.builder().model("gem")
        .addUserMessage("Weather in Oslo?").addTool(tool).build());
    ChatCompletion.Choice choice = first.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<com.openai.models.chat.completions.ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
    assertThat(calls).hasSize(1);
    ChatCompletionMessageFunctionToolCall call = calls.getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(Json.MAPPER.readTree(call.function().arguments()).path("city").asString()).isEqualTo("Oslo");
    JsonNode sent = received.poll(5, TimeUnit.SECONDS).body();
    assertThat(sent.path("tools").path(0).path("functionDeclarations").path(0).path("name").asString())
        .isEqualTo("get_weather");
    assertThat(sent.path("tools").path(0).path("functionDeclarations").path(0).path("parametersJsonSchema")
        .path("type").asString()).isEqualTo("object");

    ChatCompletion second = client.chat().completions().create(ChatCompletionCreateParams.builder().model("gem")
        .addUserMessage("Weather in Oslo?").addTool(tool).addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("minus 3").build()).build());
    assertThat(second.choices().getFirst().message().content()).contains("Hello from Gemini");
    JsonNode followUp = received.poll(5, TimeUnit.SECONDS).body();
    JsonNode contents = followUp.path("contents");
    assertThat(contents.path(1).path("role").asString()).isEqualTo("model");
    assertThat(contents.path(1).path("parts").path(0).path("functionCall").path("name").asString())
        .isEqualTo("get_weather");
    JsonNode fr = contents.path(2).path("parts").path(0).path("functionResponse");
    assertThat(fr.path("name").asString()).isEqualTo("get_weather");
    assertThat(fr.path("response").path("content").asString()).isEqualTo("minus 3");
  }
}
