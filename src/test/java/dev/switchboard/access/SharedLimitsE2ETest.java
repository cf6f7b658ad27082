package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.store.Store;
import dev.switchboard.testing.LocalRedis;
import dev.switchboard.testing.StoreUnderTest;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways in one JVM share one Redis and one PostgreSQL database (and a state directory, for the master and
 * encryption keys) and hold rate limits
 * and budgets as one instance would: requests alternate between them. Then Redis is stopped mid-load and started
 * again (empty): closed refuses with a 503, open goes on under each instance's own limits, and both come back to
 * the shared counts by themselves; budgets are rebuilt from the ledger. The model's output costs $100 per million
 * tokens and every request asks for 100, which the simulator's longer answer uses in full: each costs exactly what
 * it reserves, $0.01 (see BudgetE2ETest).
 */
final class SharedLimitsE2ETest {
  private static final String MASTER = "shared-master";
  private static LocalRedis redis;
  private static Vertx vertx;
  private static Simulator sim;

  @TempDir Path dir;
  private final StoreUnderTest store = StoreUnderTest.of(StoreUnderTest.Kind.POSTGRES);
  private final List<Gateway> gateways = new ArrayList<>();
  private final List<OpenAIClient> clients = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void servers() throws Exception {
    redis = LocalRedis.newServer();
    vertx = Vertx.vertx();
    // Answers wait 300 ms for their head, so that concurrent requests overlap and refusals meet holds in flight.
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up", "r1",
        List.of("sim-large"), 0, Duration.ofMillis(300), 0, 400, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopServers() throws Exception {
    sim.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    redis.stop();
  }

  @AfterEach
  void close() {
    redis.start(); // a test that stopped it and failed
    http.close();
    for (OpenAIClient c : clients) c.close();
    for (Gateway g : gateways) g.close();
  }

  /** Starts {@code n} gateways on one state directory and one Redis; waits until each has reached Redis. */
  private List<Gateway> start(String onFailure, int n) throws Exception {
    List<Gateway> out = startUnchecked(onFailure, n);
    for (Gateway g : out) await("the gateway reaches Redis", () -> g.redisState().up());
    return out;
  }

  private List<Gateway> startUnchecked(String onFailure, int n) throws Exception {
    Path config = dir.resolve("switchboard.yaml");
    Files.writeString(config, """
        providers:
          - {name: up, base_url: "%s", api_key: k}
          - {name: dead, base_url: "http://127.0.0.1:%d", api_key: k}
        models:
          - {name: budgeted, provider: up, model: sim-large, price: {input: 0, output: 100}}
          - name: failover
            strategy: priority
            deployments:
              - {provider: dead, model: sim-large, priority: 1}
              - {provider: up, model: sim-large, priority: 2}
        redis:
          url: %s
          on_failure: %s
        """.formatted(sim.deployment("up").baseUrl(), closedPort(), redis.url(), onFailure) + store.yaml());
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    List<Gateway> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Gateway g = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(config, 0, null,
          dir.resolve("home"))), env::get, r -> {});
      gateways.add(g);
      out.add(g);
    }
    return out;
  }

  private OpenAIClient client(Gateway g, String key) {
    OpenAIClient c = OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey(key).maxRetries(0).build();
    clients.add(c);
    return c;
  }

  private static ChatCompletionCreateParams ask() {
    return ChatCompletionCreateParams.builder().model("budgeted").maxCompletionTokens(100).addUserMessage("hi")
        .build();
  }

  /** Creates a key on {@code a} and waits until {@code b} has heard of it through Redis. */
  private static Keys.Issued key(Gateway a, Gateway b, Limits limits, String budget) {
    Keys.Issued k = a.keys().createKey(new Keys.KeySpec(null, "shared", null, limits,
        budget == null ? null : List.of(Budget.parse(budget)), null, null, false));
    await("the other instance hears of the key", () -> b.keys().ring().key(k.key().id()) != null);
    return k;
  }

  @Test
  void aRateLimitHoldsOverBothInstances() throws Exception {
    List<Gateway> g = start("closed", 2);
    Keys.Issued key = key(g.get(0), g.get(1), new Limits(5, null, null), null);
    List<OpenAIClient> both = List.of(client(g.get(0), key.secret()), client(g.get(1), key.secret()));
    for (int i = 0; i < 5; i++) {
      var raw = both.get(i % 2).chat().completions().withRawResponse().create(ask());
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.headers().values("x-ratelimit-limit-requests")).containsExactly("5");
      assertThat(raw.headers().values("x-ratelimit-remaining-requests")).containsExactly(Integer.toString(4 - i));
    }
    RateLimitException e = catchThrowableOfType(RateLimitException.class,
        () -> both.get(1).chat().completions().create(ask()));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("key 'shared'", "allows 5 requests per minute", "Retry-After");
    assertThat(Integer.parseInt(e.headers().values("retry-after").getFirst())).isBetween(1, 12);
    assertThat(e.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
  }

  @Test
  void fiveHundredConcurrentRequestsOverBothInstancesSpendTheDollarExactly() throws Exception {
    List<Gateway> g = start("closed", 2);
    Keys.Issued key = key(g.get(0), g.get(1), null, "1/total");
    List<HttpResponse<String>> answers = fire(g, key.secret(), 500);
    int admitted = 0;
    int heldInFlight = 0;
    for (HttpResponse<String> r : answers) {
      if (r.statusCode() == 200) {
        admitted++;
        continue;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      assertThat(r.body()).contains("Budget exceeded");
      if (!r.body().contains("held by 0 requests")) heldInFlight++;
    }
    for (Gateway x : g) x.close(); // writes every usage record
    gateways.clear();
    assertThat(admitted).isEqualTo(100);
    assertThat(heldInFlight).as("refusals that met reservations in flight").isPositive();
    try (Store ledger = store.open(dir.resolve("home"))) {
      BigDecimal spent = ledger.spentSince(key.key().id(), null, 0);
      assertThat(spent).isEqualByComparingTo("1");
      System.out.printf("two instances, budget $1, 500 concurrent requests of worst case $0.01: %d admitted, %d "
          + "refused (%d while reservations were held), metered spend $%s%n", admitted, 500 - admitted,
          heldInFlight, spent.toPlainString());
    }
  }

  @Test
  void aKeyRevokedOnOneInstanceIsRefusedOnTheOther() throws Exception {
    List<Gateway> g = start("closed", 2);
    Keys.Issued key = key(g.get(0), g.get(1), null, null);
    OpenAIClient onB = client(g.get(1), key.secret());
    assertThat(onB.chat().completions().create(ask()).choices()).isNotEmpty();
    g.get(0).keys().revoke(key.key().id());
    await("the revocation reaches the other instance", () -> !g.get(1).keys().ring().key(key.key().id()).enabled());
    assertThat(catchThrowableOfType(UnauthorizedException.class, () -> onB.chat().completions().create(ask())))
        .isNotNull();
  }

  @Test
  void closedRefusesWithA503WhileRedisIsDownAndSharedLimitsResumeWhenItReturns() throws Exception {
    List<Gateway> g = start("closed", 2);
    Keys.Issued key = key(g.get(0), g.get(1), new Limits(4, null, null), null);
    OpenAIClient a = client(g.get(0), key.secret());
    OpenAIClient b = client(g.get(1), key.secret());
    a.chat().completions().create(ask());

    // Mid-load: 20 requests on their way, Redis stops, 20 more. Each is admitted (and answered) or refused with a
    // 503; none hangs or fails otherwise, and none sent after the stop is admitted.
    Keys.Issued loaded = key(g.get(0), g.get(1), new Limits(1_000, null, null), null);
    List<CompletableFuture<HttpResponse<String>>> before = send(g, loaded.secret(), 20);
    redis.stop();
    List<CompletableFuture<HttpResponse<String>>> after = send(g, loaded.secret(), 20);
    for (var f : before) assertThat(f.get(60, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
    for (var f : after) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("retry-after")).contains("1");
      assertThat(r.body()).contains("admission_unavailable");
    }
    InternalServerException e = catchThrowableOfType(InternalServerException.class,
        () -> b.chat().completions().create(ask()));
    assertThat(e).isNotNull();
    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.headers().values("retry-after")).containsExactly("1");
    assertThat(e.getMessage()).contains("Retry");
    assertThat(g.get(1).redisState().up()).isFalse();
    // The master key is not counted: it goes on.
    assertThat(client(g.get(0), MASTER).chat().completions().create(ask()).choices()).isNotEmpty();

    redis.start(); // empty: the buckets start again from full
    for (Gateway x : g) await("the instance sees Redis again", () -> x.redisState().up());
    for (int i = 0; i < 4; i++) (i % 2 == 0 ? a : b).chat().completions().create(ask());
    assertThat(catchThrowableOfType(RateLimitException.class, () -> a.chat().completions().create(ask())))
        .isNotNull();
  }

  @Test
  void aGatewayStartedWhileRedisIsDownStartsAndJoinsWhenRedisComesUp() throws Exception {
    redis.stop();
    Gateway g = startUnchecked("closed", 1).getFirst();
    assertThat(g.redisState().up()).isFalse();
    assertThat(g.redisState().sinceMillis()).isPositive();
    Keys.Issued key = g.keys().createKey(new Keys.KeySpec(null, "early", null, new Limits(2, null, null), null,
        null, null, false));
    OpenAIClient c = client(g, key.secret());
    assertThat(catchThrowableOfType(InternalServerException.class, () -> c.chat().completions().create(ask())))
        .isNotNull();
    redis.start();
    await("the gateway reaches Redis", () -> g.redisState().up());
    c.chat().completions().create(ask());
    c.chat().completions().create(ask());
    assertThat(catchThrowableOfType(RateLimitException.class, () -> c.chat().completions().create(ask())))
        .isNotNull();
  }

  @Test
  void openGoesOnUnderEachInstancesOwnLimitsWhileRedisIsDown() throws Exception {
    List<Gateway> g = start("open", 2);
    Keys.Issued key = key(g.get(0), g.get(1), new Limits(3, null, null), null);
    OpenAIClient a = client(g.get(0), key.secret());
    OpenAIClient b = client(g.get(1), key.secret());

    redis.stop();
    // Each instance counts on its own: three on each, the fourth on one refused by that instance's limiter.
    for (int i = 0; i < 6; i++) (i % 2 == 0 ? a : b).chat().completions().create(ask());
    assertThat(g.get(0).redisState().up()).isFalse();
    RateLimitException local = catchThrowableOfType(RateLimitException.class,
        () -> a.chat().completions().create(ask()));
    assertThat(local).isNotNull();
    assertThat(local.getMessage()).contains("allows 3 requests per minute");

    redis.start();
    for (Gateway x : g) await("the instance sees Redis again", () -> x.redisState().up());
    for (int i = 0; i < 3; i++) (i % 2 == 0 ? a : b).chat().completions().create(ask());
    assertThat(catchThrowableOfType(RateLimitException.class, () -> b.chat().completions().create(ask())))
        .isNotNull();
  }

  @Test
  void aBudgetSurvivesARedisRestartRebuiltFromTheLedger() throws Exception {
    List<Gateway> g = start("closed", 2);
    Keys.Issued key = key(g.get(0), g.get(1), null, "0.05/total");
    for (int i = 0; i < 3; i++) client(g.get(i % 2), key.secret()).chat().completions().create(ask());
    try (Store ledger = store.open(dir.resolve("home"))) {
      await("the usage reaches the ledger", () -> ledger.spentSince(key.key().id(), null, 0)
          .compareTo(new BigDecimal("0.03")) == 0);
    }
    redis.stop();
    redis.start(); // empty
    for (Gateway x : g) await("the instance sees Redis again", () -> x.redisState().up());
    OpenAIClient b = client(g.get(1), key.secret());
    b.chat().completions().create(ask());
    b.chat().completions().create(ask());
    RateLimitException e = catchThrowableOfType(RateLimitException.class, () -> b.chat().completions().create(ask()));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("Budget exceeded", "$0 left ($0.05 spent, $0 held by 0 requests in flight)");
  }

  @Test
  void aDeploymentEjectedByOneInstanceIsEjectedByTheOther() throws Exception {
    List<Gateway> g = start("closed", 2);
    assertThat(state(g.get(1))).isEqualTo("healthy");
    // The first deployment refuses connections: the request fails over, and the breaker of A trips at once.
    assertThat(client(g.get(0), MASTER).chat().completions().create(ChatCompletionCreateParams.builder()
        .model("failover").addUserMessage("hi").build()).choices()).isNotEmpty();
    // B never sent it anything; the hint ejects it there (for the second A chose; then B probes it itself).
    await("the other instance ejects the dead deployment", () -> !state(g.get(1)).equals("healthy"));
    assertThat(state(g.get(1))).isIn("ejected", "probing next");
  }

  /** The state the routes report gives the dead deployment of model {@code failover} on {@code g}. */
  private String state(Gateway g) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port()
          + "/admin/routes/failover")).header("authorization", "Bearer " + MASTER).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      for (var d : dev.switchboard.util.Json.MAPPER.readTree(r.body()).findParents("state")) {
        if (d.toString().contains("dead")) return d.get("state").asString();
      }
      throw new AssertionError("no dead deployment in " + r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort(); // closed again at once: connections to it are refused
    }
  }

  /** Sends {@code n} chat requests at once, alternating over the gateways; answers in the order sent. */
  private List<HttpResponse<String>> fire(List<Gateway> g, String key, int n) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = send(g, key, n);
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
    List<HttpResponse<String>> out = new ArrayList<>(n);
    for (CompletableFuture<HttpResponse<String>> f : sent) out.add(f.join());
    return out;
  }

  private List<CompletableFuture<HttpResponse<String>>> send(List<Gateway> g, String key, int n) {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      URI uri = URI.create(g.get(i % g.size()).openAiBaseUrl() + "/chat/completions");
      String body = "{\"model\":\"budgeted\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":"
          + "\"request " + i + "\"}]}";
      sent.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
          .header("authorization", "Bearer " + key).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    return sent;
  }

  /** Polls an observable condition until it holds, for at most 15 s. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
      Thread.onSpinWait();
      try {
        Thread.sleep(10); // a poll interval, not a synchronisation: the condition decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
