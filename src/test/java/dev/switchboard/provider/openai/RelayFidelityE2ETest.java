package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.RecordingUpstream;
import dev.switchboard.testing.RecordingUpstream.Received;
import dev.switchboard.testing.SentRequests;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The same-protocol relay is faithful: what the OpenAI SDK sends reaches the upstream with only the model name (and, for
 * streams, the usage option) changed, under the provider's own credential; what the upstream answers reaches the SDK.
 * The upstream here is a {@link RecordingUpstream}, because the simulator does not expose the bodies it received.
 */
final class RelayFidelityE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static final SentRequests sent = new SentRequests();
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client(OpenAIOkHttpClient.builder().apiKey(GatewayFixture.MASTER_KEY).addInterceptor(sent));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Received upstreamReceived(String requestId) {
    return GatewayFixture.get(fx.recorder().received().await(r -> requestId.equals(r.header("x-request-id"))));
  }

  @Test
  void everyRequestFieldReachesTheUpstreamUnchanged() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("recorded")
        .addSystemMessage("Answer briefly.")
        .addUserMessage("Weather in Paris? \u00e9\u2603 \"quoted\"")
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
            .name("get_weather")
            .parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .build())
            .strict(false)
            .build()).build())
        .toolChoice(ChatCompletionNamedToolChoice.builder()
            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
        .parallelToolCalls(false)
        .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
            .name("answer")
            .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object")).build())
            .build()).build())
        .n(2)
        .logprobs(true)
        .topLogprobs(3)
        .seed(1234567890123L)
        .stop(ChatCompletionCreateParams.Stop.ofStrings(List.of("END", "STOP")))
        .reasoningEffort(ReasoningEffort.LOW)
        .user("user-42")
        .metadata(ChatCompletionCreateParams.Metadata.builder()
            .putAdditionalProperty("team", JsonValue.from("search")).build())
        .temperature(0.25)
        .putAdditionalBodyProperty("x_vendor_option", JsonValue.from(Map.of("nested", List.of(1, 2.5, true))))
        .build();
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params);
    assertThat(raw.parse().choices().get(0).message().content()).contains(RecordingUpstream.TEXT);
    String requestId = raw.requestId().orElseThrow();
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("recorder");
    assertThat(raw.headers().values("x-switchboard-upstream-model")).containsExactly("upstream-rec-1");

    Received upstream = upstreamReceived(requestId);
    assertThat(upstream.method()).isEqualTo("POST");
    assertThat(upstream.path()).isEqualTo("/v1/chat/completions");
    JsonNode got = upstream.json();
    assertThat(got.path("model").asString()).isEqualTo("upstream-rec-1");
    assertThat(got.at("/messages/1/content").asString()).isEqualTo("Weather in Paris? \u00e9\u2603 \"quoted\"");
    assertThat(got.at("/tools/0/function/name").asString()).isEqualTo("get_weather");
    assertThat(got.at("/tools/0/function/parameters/properties/city/type").asString()).isEqualTo("string");
    assertThat(got.at("/tool_choice/function/name").asString()).isEqualTo("get_weather");
    assertThat(got.path("parallel_tool_calls").isBoolean()).isTrue();
    assertThat(got.path("parallel_tool_calls").asBoolean()).isFalse();
    assertThat(got.at("/response_format/type").asString()).isEqualTo("json_schema");
    assertThat(got.at("/response_format/json_schema/name").asString()).isEqualTo("answer");
    assertThat(got.path("n").asInt()).isEqualTo(2);
    assertThat(got.path("logprobs").asBoolean()).isTrue();
    assertThat(got.path("top_logprobs").asInt()).isEqualTo(3);
    assertThat(got.path("seed").asLong()).isEqualTo(1234567890123L);
    assertThat(got.path("stop").valueStream().map(JsonNode::asString)).containsExactly("END", "STOP");
    assertThat(got.path("reasoning_effort").asString()).isEqualTo("low");
    assertThat(got.path("user").asString()).isEqualTo("user-42");
    assertThat(got.at("/metadata/team").asString()).isEqualTo("search");
    assertThat(got.path("temperature").asDouble()).isEqualTo(0.25);
    assertThat(got.at("/x_vendor_option/nested").toString()).isEqualTo("[1,2.5,true]");
    assertThat(got.has("stream_options")).as("nothing added to a non-streamed request").isFalse();

    // And nothing else: the whole body is what the SDK sent, but for the model.
    ObjectNode expected = (ObjectNode) Json.MAPPER.readTree(sent.lastBody());
    expected.put("model", "upstream-rec-1");
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void bodyBytesAreRelayedExactlyButForTheModel() {
    // Odd spacing, escapes, number spellings and key order must survive: the relay splices, it does not re-serialise.
    String template = "{ \"messages\" : [ {\"role\":\"user\", \"content\":\"h\\u00e9llo \u2603 \\\"model\\\": \\\"x\\\"\"} ],\n"
        + "  \"model\" :  %s ,\t\"temperature\": 2.50e-1, \"x_unknown\": {\"a\": [1, 2.50, null, true]},"
        + " \"seed\": 12345678901234567 }";
    HttpResponse<String> r = fx.post("/chat/completions", template.formatted("\"recorded\""));
    assertThat(r.statusCode()).isEqualTo(200);
    Received upstream = upstreamReceived(r.headers().firstValue("x-request-id").orElseThrow());
    assertThat(upstream.text()).isEqualTo(template.formatted("\"upstream-rec-1\""));
  }

  @Test
  void theUpstreamGetsTheProvidersCredentialAndTheRequestIdNeverTheClientsKey() {
    HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
        .create(ChatCompletionCreateParams.builder().model("recorded").addUserMessage("hi").build());
    Received upstream = upstreamReceived(raw.requestId().orElseThrow());
    assertThat(upstream.header("authorization")).isEqualTo("Bearer " + GatewayFixture.RECORDER_KEY);
    assertThat(upstream.headers().values()).noneSatisfy(v -> assertThat(v).contains(GatewayFixture.MASTER_KEY));
    assertThat(upstream.header("content-type")).isEqualTo("application/json");
    assertThat(upstream.header("content-length")).isEqualTo(Integer.toString(upstream.body().length));
  }

  @Test
  void streamsAskTheUpstreamForUsageAndDropItWhenTheClientDidNot() {
    for (Boolean clientChoice : new Boolean[] {null, false}) {
      ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("recorded")
          .addUserMessage("hi");
      if (clientChoice != null) {
        params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(clientChoice).build());
      }
      HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
          .createStreaming(params.build());
      List<ChatCompletionChunk> chunks;
      try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
        chunks = s.stream().toList();
      }
      String requestId = raw.requestId().orElseThrow();
      JsonNode got = upstreamReceived(requestId).json();
      assertThat(got.at("/stream_options/include_usage").asBoolean()).as("asked upstream (client: %s)", clientChoice)
          .isTrue();
      assertThat(chunks).as("client: %s", clientChoice).allSatisfy(c -> {
        assertThat(c.usage()).isEmpty();
        assertThat(c.choices()).isNotEmpty();
      });
      assertThat(chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
          .collect(Collectors.joining())).isEqualTo(RecordingUpstream.TEXT);
      ExchangeRecord record = fx.exchange(requestId);
      assertThat(record.usage().inputTokens()).isEqualTo(RecordingUpstream.PROMPT_TOKENS);
      assertThat(record.usage().outputTokens()).isEqualTo(RecordingUpstream.COMPLETION_TOKENS);
    }
  }

  @Test
  void streamsKeepTheUsageChunkWhenTheClientAskedForIt() {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ChatCompletionCreateParams.builder().model("recorded").addUserMessage("hi")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      List<ChatCompletionChunk> chunks = s.stream().toList();
      assertThat(chunks.getLast().choices()).isEmpty();
      assertThat(chunks.getLast().usage().orElseThrow().totalTokens())
          .isEqualTo(RecordingUpstream.PROMPT_TOKENS + RecordingUpstream.COMPLETION_TOKENS);
    }
    JsonNode got = upstreamReceived(raw.requestId().orElseThrow()).json();
    assertThat(got.path("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
  }
}
