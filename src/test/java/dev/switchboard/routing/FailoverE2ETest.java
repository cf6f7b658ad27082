package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
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
 * Failover as a client sees it: a model with deployments in two regions of the simulator, behind a real gateway,
 * called with the official OpenAI SDK (retries off, so every recovery seen is Switchboard's). A fresh fleet per
 * test, so no breaker state leaks between them.
 */
final class FailoverE2ETest {
  @TempDir Path dir;
  Vertx vertx;
  Simulator sim;
  Gateway gateway;
  OpenAIClient client;
  final dev.switchboard.testing.AwaitableLog<dev.switchboard.exchange.ExchangeRecord> exchanges =
      new dev.switchboard.testing.AwaitableLog<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    SimDeploymentSpec east1 = spec("east-a", "us-east");
    SimDeploymentSpec east2 = spec("east-b", "us-east");
    SimDeploymentSpec west = spec("west", "eu-west");
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(east1, east2, west)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: east-a, base_url: "%s", api_key: k, region: us-east}
          - {name: east-b, base_url: "%s", api_key: k, region: us-east}
          - {name: west, base_url: "%s", api_key: k, region: eu-west}
        models:
          - name: chat
            strategy: cheapest
            deployments:
              - {provider: east-a, model: sim-large, price: {input: 1, output: 2}}
              - {provider: west, model: sim-large, price: {input: 2, output: 4}}
          - name: regional
            strategy: priority
            deployments:
              - {provider: east-a, model: sim-small, priority: 1}
              - {provider: east-b, model: sim-small, priority: 2}
              - {provider: west, model: sim-small, priority: 3}
          - {name: lonely, provider: east-a, model: sim-large}
          - {name: with-fallback, provider: east-b, model: sim-small, fallbacks: [chat]}
          - {name: small-window, provider: east-b, model: sim-small, context_window: 50, on_context_overflow: chat}
          - name: hedged
            strategy: priority
            retry: {hedge_after: 100ms}
            deployments:
              - {provider: east-a, model: sim-small, priority: 1}
              - {provider: west, model: sim-small, priority: 2}
        """.formatted(sim.deployment("east-a").baseUrl(), sim.deployment("east-b").baseUrl(),
        sim.deployment("west").baseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "failover-key");
    gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir)), env::get,
        exchanges::add);
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("failover-key").maxRetries(0)
        .build();
  }

  private static SimDeploymentSpec spec(String name, String region) {
    return new SimDeploymentSpec(name, region, List.of("sim-large", "sim-small"), 0, Duration.ZERO, 0, 8, 1);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) client.close();
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponseFor<ChatCompletion> ask(String model) {
    return client.chat().completions().withRawResponse().create(ChatCompletionCreateParams.builder().model(model)
        .addUserMessage("count to 3").build());
  }

  private static String header(HttpResponseFor<?> r, String name) {
    return String.join(",", r.headers().values(name));
  }

  private static String header(com.anthropic.core.http.HttpResponseFor<?> r, String name) {
    return String.join(",", r.headers().values(name));
  }

  private List<LedgerEntry> served(HttpResponseFor<?> r) {
    String id = r.requestId().orElseThrow();
    return sim.ledger().entries().stream().filter(e -> e.requestId().equals(id)).toList();
  }

  @Test
  void theCheapestDeploymentGetsTheTrafficAndTheHeadersSaySo() {
    HttpResponseFor<ChatCompletion> r = ask("chat");
    assertThat(r.parse().choices().getFirst().message().content()).contains("1 2 3");
    assertThat(header(r, "x-switchboard-deployment")).isEqualTo("east-a/sim-large");
    assertThat(header(r, "x-switchboard-region")).isEqualTo("us-east");
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("1");
    var usage = r.parse().usage().orElseThrow();
    // 1 USD per million input tokens, 2 per million output tokens
    assertThat(new java.math.BigDecimal(header(r, "x-switchboard-cost"))).isEqualByComparingTo(
        java.math.BigDecimal.valueOf(usage.promptTokens() + 2 * usage.completionTokens()).movePointLeft(6));
  }

  @Test
  void anUpstream503IsInvisibleToTheClientWhenAnotherDeploymentAnswers() throws Exception {
    sim.setFault("east-a", Fault.status(503).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("chat");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "x-switchboard-deployment")).isEqualTo("west/sim-large");
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("2");
    assertThat(served(r)).extracting(LedgerEntry::deployment, LedgerEntry::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("east-a", "fault:status"),
            org.assertj.core.groups.Tuple.tuple("west", "completed"));
    String id = r.requestId().orElseThrow();
    var record = exchanges.await(e -> e.requestId().equals(id)).get(10, TimeUnit.SECONDS);
    assertThat(record.deployment()).isEqualTo("west/sim-large");
    assertThat(record.region()).isEqualTo("eu-west");
    assertThat(record.attempts()).isEqualTo(2);
    var usage = r.parse().usage().orElseThrow();
    assertThat(record.cost()).isEqualByComparingTo(java.math.BigDecimal.valueOf(2 * usage.promptTokens()
        + 4 * usage.completionTokens()).movePointLeft(6));
  }

  @Test
  void aRefusedDeploymentIsEjectedAtOnceSoTheNextRequestGoesStraightElsewhere() {
    sim.setFault("east-a", Fault.refuse());
    HttpResponseFor<ChatCompletion> first = ask("chat");
    assertThat(header(first, "x-switchboard-attempts")).isEqualTo("2");
    HttpResponseFor<ChatCompletion> second = ask("chat");
    assertThat(header(second, "x-switchboard-deployment")).isEqualTo("west/sim-large");
    assertThat(header(second, "x-switchboard-attempts")).isEqualTo("1");
  }

  @Test
  void aStreamThatFailsBeforeItsFirstByteContinuesOnAnotherDeployment() {
    sim.setFault("east-a", Fault.status(502).withCount(1));
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("chat").addUserMessage("count to 5").build())) {
      s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo("1 2 3 4 5");
  }

  @Test
  void aRegionWhoseDeploymentsFailIsLeftForTheOtherRegion() {
    sim.setRegionDown("us-east", true);
    HttpResponseFor<ChatCompletion> first = ask("regional");
    assertThat(header(first, "x-switchboard-deployment")).isEqualTo("west/sim-small");
    assertThat(header(first, "x-switchboard-attempts")).isEqualTo("3");
    HttpResponseFor<ChatCompletion> next = ask("regional");
    assertThat(header(next, "x-switchboard-deployment")).isEqualTo("west/sim-small");
    assertThat(header(next, "x-switchboard-attempts")).isEqualTo("1");
  }

  @Test
  void theRoutesReportNamesTheChoiceItsReasonAndEachDeploymentsState() throws Exception {
    assertThat(ask("chat").statusCode()).isEqualTo(200);
    sim.setFault("east-a", Fault.refuse());
    ask("chat");
    var http = java.net.http.HttpClient.newHttpClient();
    var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port()
        + "/admin/routes/chat")).header("authorization", "Bearer failover-key").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    var report = dev.switchboard.util.Json.MAPPER.readTree(resp.body());
    assertThat(report.path("chosen").asString()).isEqualTo("west/sim-large");
    assertThat(report.path("why").asString()).contains("cheapest healthy deployment", "2.5 USD per million tokens");
    assertThat(report.path("order").get(1).path("deployment").asString()).isEqualTo("east-a/sim-large");
    assertThat(report.path("order").get(1).path("state").asString()).isEqualTo("ejected");
    assertThat(report.path("order").get(0).path("price_per_million_tokens").path("source").asString())
        .isEqualTo("config");
    String table = dev.switchboard.cli.RoutesCommand.table(report);
    assertThat(table).contains("Next request goes to west/sim-large", "east-a/sim-large", "ejected", "2 / 4");
    var unknown = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
        + gateway.port() + "/admin/routes/nope")).header("authorization", "Bearer failover-key").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("chat, regional, lonely, with-fallback, small-window, hedged");
  }

  @Test
  void whenEveryDeploymentFailsTheFallbackModelServes() {
    sim.setFault("east-b", Fault.refuse());
    HttpResponseFor<ChatCompletion> r = ask("with-fallback");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "x-switchboard-deployment")).isEqualTo("east-a/sim-large");
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("2");
  }

  @Test
  void aRequestTooLargeForEveryContextWindowGoesToTheOverflowModel() throws Exception {
    var anthropic = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + gateway.port()).apiKey("failover-key").maxRetries(0).build();
    try {
      var small = anthropic.messages().withRawResponse().create(com.anthropic.models.messages.MessageCreateParams
          .builder().model("small-window").maxTokens(10L).addUserMessage("hi").build());
      assertThat(header(small, "x-switchboard-deployment")).isEqualTo("east-b/sim-small");
      var large = anthropic.messages().withRawResponse().create(com.anthropic.models.messages.MessageCreateParams
          .builder().model("small-window").maxTokens(10L).addUserMessage("count to 3. " + "Lorem ipsum. ".repeat(40))
          .build());
      assertThat(header(large, "x-switchboard-deployment")).isEqualTo("east-a/sim-large");
    } finally {
      anthropic.close();
    }
  }

  @Test
  void aSlowFirstAttemptIsHedgedOnAnotherDeploymentAndTheLoserCancelled() throws Exception {
    HttpResponseFor<ChatCompletion> fast = ask("hedged");
    assertThat(header(fast, "x-switchboard-attempts")).as("no hedge when the first answers in time").isEqualTo("1");

    sim.setFault("east-a", Fault.slowFirstByte(Duration.ofSeconds(5)).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("hedged");
    assertThat(r.parse().choices().getFirst().message().content()).contains("1 2 3");
    assertThat(header(r, "x-switchboard-deployment")).isEqualTo("west/sim-small");
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("2");
    String id = r.requestId().orElseThrow();
    LedgerEntry loser = sim.ledger().await(e -> e.requestId().equals(id) && e.deployment().equals("east-a"))
        .get(10, TimeUnit.SECONDS);
    assertThat(loser.outcome()).isEqualTo("cancelled");
    var record = exchanges.await(e -> e.requestId().equals(id)).get(10, TimeUnit.SECONDS);
    assertThat(record.deployment()).isEqualTo("west/sim-small");
  }

  @Test
  void aHedgeThatFailsCostsNothingWhileTheFirstAttemptStillAnswers() {
    sim.setFault("east-a", Fault.slowFirstByte(Duration.ofMillis(600)).withCount(1));
    sim.setFault("west", Fault.status(503).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("hedged");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "x-switchboard-deployment")).isEqualTo("east-a/sim-small");
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("2");
  }

  @Test
  void aStreamIsHedgedToo() {
    sim.setFault("east-a", Fault.slowFirstByte(Duration.ofSeconds(5)).withCount(1));
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("hedged").addUserMessage("count to 4").build())) {
      s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo("1 2 3 4");
  }

  @Test
  void theClientsOwnMistakeIsNotRetried() {
    sim.setFault("east-a", Fault.status(400).withCount(1));
    assertThatThrownBy(() -> ask("chat")).isInstanceOf(BadRequestException.class);
    assertThat(sim.ledger().entries()).hasSize(1);
  }

  @Test
  void aLoneDeploymentIsRetriedAfterABackoffButALongRetryAfterReachesTheClient() {
    sim.setFault("east-a", Fault.status(503).withCount(1));
    HttpResponseFor<ChatCompletion> r = ask("lonely");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "x-switchboard-attempts")).isEqualTo("2");

    sim.setFault("east-a", Fault.status429(30).withCount(1));
    assertThatThrownBy(() -> ask("lonely")).isInstanceOfSatisfying(RateLimitException.class,
        e -> assertThat(e.headers().values("retry-after")).containsExactly("30"));
  }
}
