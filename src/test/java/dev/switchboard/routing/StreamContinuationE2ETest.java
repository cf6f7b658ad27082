package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.testing.AwaitableLog;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * {@code continue_streams} as clients see it: a model with two simulator deployments, the preferred one cutting
 * every stream after a few chunks. The cut stream is continued on the other deployment with the text already sent as
 * a prefill, and the client, through the official OpenAI, Anthropic and AWS SDKs (retries off), sees one whole
 * answer, whether the upstreams speak OpenAI's protocol (vLLM's {@code continue_final_message}) or Anthropic's.
 * What cannot be continued still ends with the protocol's in-stream error. A fresh fleet per test, so no breaker
 * state leaks between them.
 */
final class StreamContinuationE2ETest {
  static final String COUNT = IntStream.rangeClosed(1, 30).mapToObj(Integer::toString)
      .collect(Collectors.joining(" "));

  @TempDir Path dir;
  Vertx vertx;
  Simulator sim;
  Gateway gateway;
  OpenAIClient openAi;
  AnthropicClient anthropic;
  final AwaitableLog<ExchangeRecord> exchanges = new AwaitableLog<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(spec("flaky"), spec("steady"))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: flaky, base_url: "%s", api_key: k}
          - {name: steady, base_url: "%s", api_key: k}
          - {name: flaky-claude, type: anthropic, base_url: "%s", api_key: k}
          - {name: steady-claude, type: anthropic, base_url: "%s", api_key: k}
        models:
          - name: continued
            strategy: priority
            continue_streams: true
            deployments:
              - {provider: flaky, model: sim-large, priority: 1}
              - {provider: steady, model: sim-large, priority: 2}
          - name: continued-claude
            strategy: priority
            continue_streams: true
            deployments:
              - {provider: flaky-claude, model: sim-large, priority: 1}
              - {provider: steady-claude, model: sim-large, priority: 2}
          - name: broken
            strategy: priority
            deployments:
              - {provider: flaky, model: sim-large, priority: 1}
              - {provider: steady, model: sim-large, priority: 2}
        """.formatted(sim.deployment("flaky").baseUrl(), sim.deployment("steady").baseUrl(),
        sim.deployment("flaky").anthropicBaseUrl(), sim.deployment("steady").anthropicBaseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "continue-key");
    gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir)), env::get,
        exchanges::add);
    openAi = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("continue-key").maxRetries(0)
        .build();
    anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port()).apiKey("continue-key")
        .maxRetries(0).build();
  }

  private static SimDeploymentSpec spec(String name) {
    return new SimDeploymentSpec(name, "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 8, 1);
  }

  @AfterEach
  void stop() throws Exception {
    if (openAi != null) openAi.close();
    if (anthropic != null) anthropic.close();
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ChatCompletionCreateParams.Builder count(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("count to 30")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
  }

  private List<LedgerEntry> served(String requestId) {
    return sim.ledger().entries().stream().filter(e -> e.requestId().equals(requestId)).toList();
  }

  private ExchangeRecord record(String requestId) throws Exception {
    return exchanges.await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void anOpenAiClientGetsTheWholeAnswerAsOneMessage() throws Exception {
    sim.setFault("flaky", Fault.cut(5));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("continued").build());
    String id = raw.requestId().orElseThrow();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      s.stream().forEach(chunks::add);
    }
    String text = chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.delta().content().orElse(""))
        .collect(Collectors.joining());
    assertThat(text).isEqualTo(COUNT);
    assertThat(chunks).extracting(ChatCompletionChunk::id).as("one message").containsOnly(chunks.getFirst().id());
    assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.delta().role().isPresent()))
        .as("one role, at the start").hasSize(1);
    assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.finishReason().isPresent()))
        .as("one stop").hasSize(1);

    List<LedgerEntry> attempts = served(id);
    assertThat(attempts).extracting(LedgerEntry::deployment, LedgerEntry::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("flaky", "cut"), org.assertj.core.groups.Tuple.tuple("steady",
            "completed"));
    assertThat(attempts.get(1).promptTokens()).as("the text already sent, as a prefill")
        .isGreaterThan(attempts.get(0).promptTokens());
    long usage = chunks.getLast().usage().orElseThrow().completionTokens();
    assertThat(usage).as("the continuation's output and an estimate of the broken attempt's")
        .isGreaterThan(attempts.get(1).completionTokens());
    ExchangeRecord r = record(id);
    assertThat(r.outcome()).isEqualTo("completed");
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.usage().outputTokens()).isEqualTo(usage);
    assertThat(r.usage().estimated()).isTrue();
  }

  @Test
  void anAnthropicClientGetsTheWholeAnswerAsOneMessage() {
    sim.setFault("flaky", Fault.cut(5));
    MessageAccumulator acc = MessageAccumulator.create();
    List<RawMessageStreamEvent> events = new ArrayList<>();
    try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("continued")
        .maxTokens(1000).addUserMessage("count to 30").build())) {
      s.stream().forEach(e -> {
        events.add(e);
        acc.accumulate(e);
      });
    }
    var m = acc.message();
    assertThat(m.content()).hasSize(1);
    assertThat(m.content().getFirst().asText().text()).isEqualTo(COUNT);
    assertThat(events.stream().filter(RawMessageStreamEvent::isMessageStart)).hasSize(1);
    assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockStart)).hasSize(1);
    assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockStop)).hasSize(1);
    assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockDelta))
        .allSatisfy(e -> assertThat(e.asContentBlockDelta().index()).isZero());
    assertThat(events.stream().filter(RawMessageStreamEvent::isMessageStop)).hasSize(1);
    List<LedgerEntry> attempts = sim.ledger().entries();
    assertThat(attempts).extracting(LedgerEntry::outcome).containsExactly("cut", "completed");
    assertThat(m.usage().outputTokens()).isGreaterThan(attempts.get(1).completionTokens());
  }

  @Test
  void aContinuationThatBreaksTooIsContinuedAgainWithinTheAttemptLimit() throws Exception {
    sim.setFault("flaky", Fault.cut(5).withCount(1));
    sim.setFault("steady", Fault.cut(20).withCount(1));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("continued").build());
    String id = raw.requestId().orElseThrow();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo(COUNT);
    // Both deployments tried, so the third attempt goes to the best one again, after the backoff.
    assertThat(served(id)).extracting(LedgerEntry::deployment, LedgerEntry::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("flaky", "cut"), org.assertj.core.groups.Tuple.tuple("steady", "cut"),
        org.assertj.core.groups.Tuple.tuple("flaky", "completed"));
    assertThat(record(id).attempts()).isEqualTo(3);
  }

  @Test
  void aContinuationThatFailsBeforeItsFirstByteIsRetried() throws Exception {
    sim.setFault("flaky", Fault.cut(5).withCount(1));
    sim.setFault("steady", Fault.status(503).withCount(1));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("continued").build());
    String id = raw.requestId().orElseThrow();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo(COUNT);
    assertThat(served(id)).extracting(LedgerEntry::deployment, LedgerEntry::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("flaky", "cut"), org.assertj.core.groups.Tuple.tuple("steady",
            "fault:status"), org.assertj.core.groups.Tuple.tuple("flaky", "completed"));
  }

  @Test
  void anAnthropicUpstreamContinuesTheMessageNatively() {
    sim.setFault("flaky", Fault.cut(5));
    StringBuilder text = new StringBuilder();
    try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("continued-claude")
        .maxTokens(1000).addUserMessage("count to 30").build())) {
      s.stream().forEach(e -> e.contentBlockDelta().flatMap(d -> d.delta().text())
          .ifPresent(t -> text.append(t.text())));
    }
    assertThat(text.toString()).isEqualTo(COUNT);
    assertThat(sim.ledger().entries()).extracting(LedgerEntry::deployment, LedgerEntry::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("flaky", "cut"), org.assertj.core.groups.Tuple.tuple("steady",
            "completed"));
  }

  @Test
  void aBedrockClientGetsTheWholeAnswerAsOneMessage() throws Exception {
    sim.setFault("flaky", Fault.cut(5));
    try (BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
        .endpointOverride(java.net.URI.create("http://127.0.0.1:" + gateway.port())).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("continue-key",
            "continue-key")))
        .build()) {
      StringBuilder text = new StringBuilder();
      List<String> kinds = new java.util.concurrent.CopyOnWriteArrayList<>();
      ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
          .subscriber(ConverseStreamResponseHandler.Visitor.builder()
              .onMessageStart(e -> kinds.add("messageStart"))
              .onContentBlockDelta(e -> {
                assertThat(e.contentBlockIndex()).isZero();
                if (e.delta().text() != null) text.append(e.delta().text());
              })
              .onContentBlockStop(e -> kinds.add("blockStop"))
              .onMessageStop(e -> kinds.add("messageStop"))
              .build())
          .build();
      client.converseStream(b -> b.modelId("continued").messages(Message.builder().role(ConversationRole.USER)
          .content(ContentBlock.fromText("count to 30")).build()), handler).get(30, TimeUnit.SECONDS);
      assertThat(text.toString()).isEqualTo(COUNT);
      assertThat(kinds).containsExactly("messageStart", "blockStop", "messageStop");
    }
  }

  @Test
  void withoutAFaultTheModelStreamsAsAlways() throws Exception {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("continued").build());
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo(COUNT);
    assertThat(raw.headers().values("x-switchboard-attempts")).containsExactly("1");
    String id = raw.requestId().orElseThrow();
    assertThat(served(id)).extracting(LedgerEntry::deployment).containsExactly("flaky");
    assertThat(record(id).usage().estimated()).isFalse();
  }

  @Test
  void aModelThatDoesNotContinueStreamsEndsWithTheInStreamError() throws Exception {
    sim.setFault("flaky", Fault.cut(5));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("broken").build());
    String id = raw.requestId().orElseThrow();
    StringBuilder text = new StringBuilder();
    Throwable thrown;
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      thrown = catchThrowable(() -> s.stream().forEach(c ->
          c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append))));
    }
    assertThat(thrown).as("a broken stream must never look complete").isInstanceOf(SseException.class);
    assertThat(COUNT).startsWith(text.toString()).isNotEqualTo(text.toString());
    assertThat(served(id)).extracting(LedgerEntry::deployment).containsExactly("flaky");
    assertThat(record(id).outcome()).isEqualTo("truncated");
  }

  @Test
  void aStreamThatStartedAToolCallIsNotContinued() throws Exception {
    sim.setFault("flaky", Fault.cut(5));
    FunctionParameters schema = FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"),
            "days", Map.of("type", "integer"), "units", Map.of("type", "string"))))
        .build();
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = openAi.chat().completions().withRawResponse()
        .createStreaming(count("continued").addTool(ChatCompletionFunctionTool.builder().function(
            FunctionDefinition.builder().name("forecast").parameters(schema).build()).build()).build());
    String id = raw.requestId().orElseThrow();
    List<String> tools = new ArrayList<>();
    Throwable thrown;
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      thrown = catchThrowable(() -> s.stream().forEach(c -> c.choices().forEach(ch ->
          ch.delta().toolCalls().ifPresent(calls -> calls.forEach(t -> t.function()
              .flatMap(f -> f.name()).ifPresent(tools::add))))));
    }
    assertThat(tools).containsExactly("forecast");
    assertThat(thrown).isInstanceOf(SseException.class);
    assertThat(served(id)).extracting(LedgerEntry::deployment).containsExactly("flaky");
    assertThat(record(id).outcome()).isEqualTo("truncated");
  }
}
