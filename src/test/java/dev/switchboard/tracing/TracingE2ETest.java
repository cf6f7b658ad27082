package dev.switchboard.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces as an operator's collector receives them: a real gateway with tracing on exports over OTLP/HTTP to an
 * in-JVM receiver that decodes the protobuf, while the official OpenAI SDK calls it and the simulator (or a recording
 * upstream) answers. Each test closes the gateway before reading spans: closing flushes the batch processor.
 */
final class TracingE2ETest {
  private static final String MASTER = "tracing-key";

  @TempDir Path dir;
  Vertx vertx;
  Simulator sim;
  RecordingUpstream recording;
  OtlpReceiver receiver;
  Gateway gateway;
  OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(spec("east-a", "us-east"),
        spec("west", "eu-west")))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    recording = RecordingUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    receiver = OtlpReceiver.start(vertx);
  }

  private static SimDeploymentSpec spec(String name, String region) {
    return new SimDeploymentSpec(name, region, List.of("sim-large"), 0, Duration.ZERO, 0, 8, 1);
  }

  private void startGateway(boolean tracing) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: east-a, base_url: "%s", api_key: k, region: us-east}
          - {name: west, base_url: "%s", api_key: k, region: eu-west}
          - {name: rec, base_url: "%s", api_key: k}
          - {name: claude, type: anthropic, base_url: "%s", api_key: k}
        models:
          - name: chat
            strategy: priority
            deployments:
              - {provider: east-a, model: sim-large, priority: 1}
              - {provider: west, model: sim-large, priority: 2}
          - {name: recorded, provider: rec, model: gpt-rec}
          - {name: claude-chat, provider: claude, model: sim-large}
          - name: hedged
            strategy: priority
            retry: {hedge_after: 100ms}
            deployments:
              - {provider: east-a, model: sim-large, priority: 1}
              - {provider: west, model: sim-large, priority: 2}
        tracing:
          enabled: %s
          endpoint: %s
          service_name: switchboard-test
        """.formatted(sim.deployment("east-a").baseUrl(), sim.deployment("west").baseUrl(), recording.baseUrl(),
        sim.deployment("west").anthropicBaseUrl(), tracing, receiver.endpoint()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir)), env::get,
        ExchangeObserver.NONE);
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(MASTER).maxRetries(0).build();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) client.close();
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Closes the gateway, which exports every span still queued. */
  private void flush() {
    gateway.close();
    gateway = null;
  }

  private HttpResponseFor<ChatCompletion> ask(String model, String traceparent) {
    ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model)
        .addUserMessage("count to 3").maxCompletionTokens(64);
    if (traceparent != null) b.putAdditionalHeader("traceparent", traceparent);
    return client.chat().completions().withRawResponse().create(b.build());
  }

  private List<OtlpReceiver.Received> spansOf(String traceId) {
    return receiver.spans().all().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private OtlpReceiver.Received serverSpan(String requestId) {
    return receiver.spans().all().stream()
        .filter(s -> s.kind().equals("SPAN_KIND_SERVER") && requestId.equals(s.attr("switchboard.request_id")))
        .findFirst().orElseThrow(() -> new AssertionError("no server span for " + requestId + " in "
            + receiver.spans().all()));
  }

  private List<OtlpReceiver.Received> clientSpans(OtlpReceiver.Received server) {
    return spansOf(server.traceId()).stream().filter(s -> s.kind().equals("SPAN_KIND_CLIENT"))
        .sorted(java.util.Comparator.comparing(s -> (Long) s.attr("switchboard.attempt"))).toList();
  }

  private List<LedgerEntry> ledger(String requestId) {
    return sim.ledger().entries().stream().filter(e -> e.requestId().equals(requestId)).toList();
  }

  @Test
  void aRequestExportsAServerSpanAndAClientSpanWithTheGenAiAttributesAndTheLedgersTokens() throws Exception {
    startGateway(true);
    HttpResponseFor<ChatCompletion> r = ask("chat", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.requestId().orElseThrow();
    flush();

    OtlpReceiver.Received server = serverSpan(id);
    assertThat(server.name()).isEqualTo("POST /v1/chat/completions");
    assertThat(server.parentSpanId()).isEmpty();
    assertThat(server.attributes()).containsEntry("http.request.method", "POST")
        .containsEntry("http.route", "/v1/chat/completions").containsEntry("http.response.status_code", 200L)
        .containsEntry("gen_ai.request.model", "chat").containsEntry("switchboard.outcome", "completed");
    assertThat(server.resource()).containsEntry("service.name", "switchboard-test");
    assertThat(server.status()).isNotEqualTo("STATUS_CODE_ERROR");

    List<OtlpReceiver.Received> attempts = clientSpans(server);
    assertThat(attempts).hasSize(1);
    OtlpReceiver.Received a = attempts.getFirst();
    LedgerEntry served = ledger(id).getFirst();
    assertThat(a.name()).isEqualTo("chat chat");
    assertThat(a.parentSpanId()).isEqualTo(server.spanId());
    assertThat(a.attributes()).containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.provider.name", "openai").containsEntry("gen_ai.system", "openai")
        .containsEntry("gen_ai.request.model", "chat").containsEntry("gen_ai.response.model", "sim-large")
        .containsEntry("gen_ai.request.max_tokens", 64L)
        .containsEntry("gen_ai.usage.input_tokens", (long) served.promptTokens())
        .containsEntry("gen_ai.usage.output_tokens", (long) served.completionTokens())
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("switchboard.deployment", "east-a/sim-large").containsEntry("switchboard.region", "us-east")
        .containsEntry("switchboard.attempt", 1L).doesNotContainKey("error.type");
    assertThat(served.promptTokens()).isPositive();
    // Never content: no attribute holds the prompt or the answer, and none the key.
    String answer = r.parse().choices().getFirst().message().content().orElseThrow();
    for (OtlpReceiver.Received s : List.of(server, a)) {
      assertThat(s.attributes().values()).allSatisfy(v -> assertThat(String.valueOf(v))
          .doesNotContain("count to 3").doesNotContain(answer).doesNotContain(MASTER));
    }
  }

  @Test
  void aFailoverGivesOneClientSpanPerAttemptTheFailedOneMarkedAsAnError() throws Exception {
    startGateway(true);
    sim.setFault("east-a", Fault.status(503).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("chat", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.requestId().orElseThrow();
    flush();

    OtlpReceiver.Received server = serverSpan(id);
    assertThat(server.attributes()).containsEntry("switchboard.attempts", 2L);
    List<OtlpReceiver.Received> attempts = clientSpans(server);
    assertThat(attempts).hasSize(2);
    OtlpReceiver.Received failed = attempts.get(0);
    OtlpReceiver.Received won = attempts.get(1);
    assertThat(failed.attributes()).containsEntry("switchboard.deployment", "east-a/sim-large")
        .containsEntry("switchboard.attempt", 1L).containsEntry("switchboard.outcome", "upstream_error")
        .containsEntry("error.type", "503").doesNotContainKey("gen_ai.usage.output_tokens");
    assertThat(failed.status()).isEqualTo("STATUS_CODE_ERROR");
    LedgerEntry completed = ledger(id).stream().filter(e -> e.outcome().equals("completed")).findFirst()
        .orElseThrow();
    assertThat(won.attributes()).containsEntry("switchboard.deployment", "west/sim-large")
        .containsEntry("switchboard.region", "eu-west").containsEntry("switchboard.attempt", 2L)
        .containsEntry("gen_ai.usage.input_tokens", (long) completed.promptTokens())
        .containsEntry("gen_ai.usage.output_tokens", (long) completed.completionTokens())
        .doesNotContainKey("error.type");
    assertThat(List.of(failed.parentSpanId(), won.parentSpanId())).containsOnly(server.spanId());
  }

  @Test
  void aHedgeThatWinsEndsTheSlowAttemptsSpanAsCancelledNotFailed() throws Exception {
    startGateway(true);
    sim.setFault("east-a", Fault.slowFirstByte(Duration.ofSeconds(5)).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("hedged", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.requestId().orElseThrow();
    flush();

    List<OtlpReceiver.Received> attempts = clientSpans(serverSpan(id));
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).attributes()).containsEntry("switchboard.deployment", "east-a/sim-large")
        .containsEntry("switchboard.outcome", "cancelled").doesNotContainKey("error.type");
    assertThat(attempts.get(0).status()).isNotEqualTo("STATUS_CODE_ERROR");
    assertThat(attempts.get(1).attributes()).containsEntry("switchboard.deployment", "west/sim-large")
        .containsEntry("switchboard.outcome", "completed").containsKey("gen_ai.usage.output_tokens");
  }

  @Test
  void eachFrontDoorAndProviderProtocolIsNamedAsSuch() throws Exception {
    startGateway(true);
    var anthropic = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + gateway.port()).apiKey(MASTER).maxRetries(0).build();
    String viaMessages;
    try {
      viaMessages = anthropic.messages().withRawResponse().create(com.anthropic.models.messages.MessageCreateParams
          .builder().model("claude-chat").maxTokens(32L).addUserMessage("count to 3").build())
          .headers().values("x-request-id").getFirst();
    } finally {
      anthropic.close();
    }
    String viaOpenAi = ask("claude-chat", null).requestId().orElseThrow(); // translated to Anthropic's protocol
    flush();

    OtlpReceiver.Received messages = serverSpan(viaMessages);
    assertThat(messages.name()).isEqualTo("POST /v1/messages");
    assertThat(messages.attributes()).containsEntry("switchboard.front_door", "anthropic");
    OtlpReceiver.Received translated = serverSpan(viaOpenAi);
    assertThat(translated.attributes()).containsEntry("switchboard.front_door", "openai");
    for (String id : List.of(viaMessages, viaOpenAi)) {
      LedgerEntry served = ledger(id).getFirst();
      assertThat(clientSpans(serverSpan(id)).getFirst().attributes())
          .containsEntry("gen_ai.provider.name", "anthropic").containsEntry("gen_ai.operation.name", "chat")
          .containsEntry("gen_ai.request.model", "claude-chat").containsEntry("switchboard.provider", "claude")
          .containsEntry("gen_ai.usage.input_tokens", (long) served.promptTokens())
          .containsEntry("gen_ai.usage.output_tokens", (long) served.completionTokens());
    }
  }

  @Test
  void aStreamsClientSpanEndsWithItsStreamAndCarriesTheUsageOfItsLastChunk() throws Exception {
    startGateway(true);
    long[] usage = new long[2];
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("chat").addUserMessage("count to 5")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      s.stream().forEach(c -> c.usage().ifPresent(u -> {
        usage[0] = u.promptTokens();
        usage[1] = u.completionTokens();
      }));
    }
    flush();

    LedgerEntry served = sim.ledger().entries().getLast();
    assertThat(usage).containsExactly(served.promptTokens(), served.completionTokens());
    OtlpReceiver.Received server = serverSpan(served.requestId());
    OtlpReceiver.Received attempt = clientSpans(server).getFirst();
    assertThat(attempt.attributes()).containsEntry("switchboard.stream", true)
        .containsEntry("gen_ai.usage.input_tokens", (long) served.promptTokens())
        .containsEntry("gen_ai.usage.output_tokens", (long) served.completionTokens())
        .containsEntry("switchboard.outcome", "completed");
  }

  @Test
  void theUpstreamReceivesTheAttemptSpansTraceparentAndAClientsTraceparentIsContinued() throws Exception {
    startGateway(true);
    String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    HttpResponseFor<ChatCompletion> r = ask("recorded", "00-" + clientTrace + "-" + clientSpan + "-01");
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.requestId().orElseThrow();
    RecordingUpstream.Received upstream = recording.received().await(q -> id.equals(q.header("x-request-id")))
        .get(10, TimeUnit.SECONDS);
    flush();

    OtlpReceiver.Received server = serverSpan(id);
    assertThat(server.traceId()).isEqualTo(clientTrace);
    assertThat(server.parentSpanId()).isEqualTo(clientSpan);
    OtlpReceiver.Received attempt = clientSpans(server).getFirst();
    assertThat(upstream.header("traceparent")).isEqualTo("00-" + clientTrace + "-" + attempt.spanId() + "-01");
    assertThat(attempt.attributes()).containsEntry("gen_ai.response.model", "gpt-rec")
        .containsEntry("gen_ai.usage.input_tokens", (long) RecordingUpstream.PROMPT_TOKENS)
        .containsEntry("gen_ai.usage.output_tokens", (long) RecordingUpstream.COMPLETION_TOKENS);
  }

  @Test
  void withoutAClientTraceparentTheUpstreamsTraceIdIsTheServerSpans() throws Exception {
    startGateway(true);
    HttpResponseFor<ChatCompletion> r = ask("recorded", null);
    String id = r.requestId().orElseThrow();
    RecordingUpstream.Received upstream = recording.received().await(q -> id.equals(q.header("x-request-id")))
        .get(10, TimeUnit.SECONDS);
    flush();

    OtlpReceiver.Received server = serverSpan(id);
    String traceparent = upstream.header("traceparent");
    assertThat(traceparent).startsWith("00-" + server.traceId() + "-" + clientSpans(server).getFirst().spanId() + "-");
    // Sampled (bit 0); a trace the SDK began also sets the W3C level 2 "random trace id" flag (bit 1).
    assertThat(Integer.parseInt(traceparent.substring(traceparent.length() - 2), 16) & 1).isEqualTo(1);
  }

  @Test
  void tracingOffSendsNothingToTheCollectorAndNoTraceparentUpstream() throws Exception {
    startGateway(false);
    HttpResponseFor<ChatCompletion> r = ask("recorded", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.requestId().orElseThrow();
    RecordingUpstream.Received upstream = recording.received().await(q -> id.equals(q.header("x-request-id")))
        .get(10, TimeUnit.SECONDS);
    ask("chat", null);
    flush();
    assertThat(upstream.header("traceparent")).isNull();
    assertThat(receiver.posts()).isZero();
  }
}
