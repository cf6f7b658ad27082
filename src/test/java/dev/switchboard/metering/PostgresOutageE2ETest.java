package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Limits;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.store.PostgresStore;
import dev.switchboard.store.Store;
import dev.switchboard.testing.LocalPostgres;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes down in the middle of the load and comes back: a virtual key keeps authenticating and every
 * request keeps being served (keys live in memory), the usage of the outage goes to the on-disk spool, the admin
 * API answers 503, and once the database is back the spool is flushed, so that in the end every request the
 * simulator served is in the ledger exactly once, token for token. A PostgreSQL server of its own, since it is
 * stopped.
 */
final class PostgresOutageE2ETest {
  private static final String MASTER = "outage-master";
  private static final int TOTAL = 600;
  private static final int STOP_AT = 150;
  private static final int START_AT = 400;

  @TempDir Path dir;

  @Test
  void routingGoesOnWhileTheDatabaseIsDownAndItsUsageIsMeteredOnceWhenItReturns() throws Exception {
    LocalPostgres pg = LocalPostgres.newServer();
    String url = pg.newDatabase();
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up",
        "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Path home = dir.resolve("home");
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, base_url: "%s", api_key: k}
        models:
          - {name: metered, provider: up, model: sim-large, price: {input: 1, output: 2}}
        metering: {flush_interval: 50ms}
        store: {type: postgres, url: "%s", user: switchboard, pool_size: 4}
        """.formatted(sim.deployment("up").baseUrl(), url));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    Gateway gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)),
        env::get, ExchangeObserver.NONE);
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    boolean pgUp = true;
    try {
      Keys.Issued key = gateway.keys().createKey(new Keys.KeySpec(null, "outage", null, Limits.NONE, List.of(), null,
          null, false));
      OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(key.secret())
          .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Future<?>> loops = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        loops.add(clients.submit(() -> {
          int i;
          while ((i = sent.getAndIncrement()) < TOTAL) {
            try {
              openai.chat().completions().create(ChatCompletionCreateParams.builder().model("metered")
                  .addUserMessage("request " + i).build());
            } catch (RuntimeException e) {
              failures.add(e);
            }
            done.incrementAndGet();
          }
        }));
      }
      await(() -> done.get() >= STOP_AT, "the first requests");
      pg.stop();
      pgUp = false;
      // Usage of requests served during the outage reaches the spool on disk.
      await(() -> gateway.meter().spooled() > 0, "usage spooled");
      // What needs the database says so; lists of teams and keys come from memory and still answer.
      for (HttpRequest call : List.of(
          adminCall(gateway, "/admin/teams").POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"late\"}"))
              .header("content-type", "application/json").build(),
          adminCall(gateway, "/admin/usage?group_by=model").build())) {
        HttpResponse<String> admin = http.send(call, HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).as(call.uri() + ": " + admin.body()).isEqualTo(503);
        assertThat(admin.body()).contains("unavailable", "Try again");
        assertThat(admin.headers().firstValue("retry-after")).isPresent();
      }
      assertThat(http.send(adminCall(gateway, "/admin/teams").build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
      await(() -> done.get() >= START_AT, "requests during the outage");
      pg.start();
      pgUp = true;
      for (Future<?> f : loops) f.get(60, TimeUnit.SECONDS);
      assertThat(failures).as("requests that failed").isEmpty();
      await(() -> gateway.meter().spooled() == 0, "the spool flushed");
      openai.close();
    } finally {
      if (!pgUp) pg.start();
      clients.shutdownNow();
      http.close();
      gateway.close(); // writes what is still queued
    }
    List<LedgerEntry> ledger = sim.ledger().entries();
    assertThat(ledger).hasSize(TOTAL);
    long input = ledger.stream().mapToLong(LedgerEntry::promptTokens).sum();
    long output = ledger.stream().mapToLong(LedgerEntry::completionTokens).sum();
    try (Store store = PostgresStore.open(url, "switchboard", null, 2)) {
      Store.UsageTotals metered = store.usage("metered");
      assertThat(metered.requests()).isEqualTo(TOTAL);
      assertThat(metered.inputTokens()).isEqualTo(input);
      assertThat(metered.outputTokens()).isEqualTo(output);
      assertThat(new BigDecimal(metered.costUsd())).isEqualByComparingTo(
          BigDecimal.valueOf(input + 2 * output).movePointLeft(6));
    } finally {
      sim.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      pg.stop();
    }
    assertThat(home.resolve("usage-spool.jsonl")).isEmptyFile();
  }

  private static HttpRequest.Builder adminCall(Gateway gateway, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .header("authorization", "Bearer " + MASTER);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20); // polling an observable condition under a deadline
    }
  }
}
