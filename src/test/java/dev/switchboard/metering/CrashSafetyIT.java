package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the usage ledger, with the gateway as a real process ({@code bin/switchboard serve}) in front of an
 * in-process simulator, whose ledger is the ground truth of what the upstream served. Under concurrent load (plain and
 * streamed, relayed and translated) the gateway is killed with SIGKILL, started again on the same state directory,
 * loaded again and stopped. Then the store must hold no request twice, nothing the upstream did not serve, every
 * served token count exactly, and of the requests completed before the kill, only those of the last flush interval
 * may be missing.
 */
final class CrashSafetyIT {
  private static final String KEY = "crash-master-key";
  private static final int CLIENTS = 8;
  /** Completed requests before the kill, and after the restart. */
  private static final int BEFORE_KILL = 400;
  private static final int AFTER_RESTART = 100;
  /** The Meter's flush interval ({@code metering.flush_interval}; 200 ms is the default). */
  private static final long FLUSH_MILLIS = 200;

  @TempDir Path dir;
  Vertx vertx;
  Simulator sim;
  Path home;
  Path config;

  /** What a client saw complete: the gateway's request id, and when (wall clock, ms). */
  record Completed(String requestId, long atMillis) {}

  @BeforeEach
  void startSimulator() throws Exception {
    vertx = Vertx.vertx();
    // Requests take some tens of milliseconds, so that the kill finds several in flight.
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up", "r1",
        List.of("sim-large"), 0, Duration.ofMillis(10), 400, 12, 11)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    home = dir.resolve("home");
    config = dir.resolve("switchboard.yaml");
    Files.writeString(config, """
        server: {host: 127.0.0.1}
        metering: {flush_interval: %dms}
        providers:
          - {name: openai-sim, base_url: "%s", api_key: k}
          - {name: anthropic-sim, type: anthropic, base_url: "%s", api_key: k}
        models:
          - {name: relayed, provider: openai-sim, model: sim-large, price: {input: 1.5, output: 6}}
          - {name: translated, provider: anthropic-sim, model: sim-large, price: {input: 3, output: 15}}
        """.formatted(FLUSH_MILLIS, sim.deployment("up").baseUrl(), sim.deployment("up").anthropicBaseUrl()));
  }

  @AfterEach
  void stopSimulator() throws Exception {
    if (sim != null) sim.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Starts {@code bin/switchboard serve} on this test's home: the first start, or a restart after a crash. */
  private GatewayProcess gateway() throws Exception {
    return GatewayProcess.start(home, config, Map.of("SWITCHBOARD_MASTER_KEY", KEY));
  }

  @Test
  void killedUnderLoadNothingCountsTwiceAndOnlyTheLastFlushIntervalIsLost() throws Exception {
    Map<String, Completed> beforeKill = new ConcurrentHashMap<>();
    long killedAt;
    long loadStarted;
    try (GatewayProcess first = gateway()) {
      loadStarted = System.currentTimeMillis();
      Load load = new Load(first.baseUrl(), beforeKill, BEFORE_KILL);
      load.awaitCompleted();
      killedAt = System.currentTimeMillis();
      first.kill();
      load.stop();
    }
    Map<String, Completed> afterRestart = new ConcurrentHashMap<>();
    try (GatewayProcess second = gateway()) {
      Load load = new Load(second.baseUrl(), afterRestart, AFTER_RESTART);
      load.awaitCompleted();
      load.stop();
      second.stop(); // a clean stop writes every pending record
    }

    List<UsageRows.Row> rows = UsageRows.read(home);
    Map<String, LedgerEntry> ledger = new HashMap<>();
    for (LedgerEntry e : sim.ledger().entries()) {
      assertThat(ledger.put(e.requestId(), e)).as("the upstream saw request %s once", e.requestId()).isNull();
    }

    // Nothing counted twice, nothing invented: each row is one request the upstream served, with its exact tokens.
    Set<String> ids = new HashSet<>();
    for (UsageRows.Row row : rows) {
      assertThat(ids.add(row.requestId())).as("metered once: %s", row.requestId()).isTrue();
      LedgerEntry served = ledger.get(row.requestId());
      assertThat(served).as("the upstream served %s", row.requestId()).isNotNull();
      assertThat(row.estimated()).isFalse();
      assertThat(row.input() - row.cacheRead() - row.cacheWrite()).isEqualTo(served.promptTokens());
      assertThat(row.output()).isEqualTo(served.completionTokens());
    }
    // After the restart, a clean stop: everything that completed is metered.
    assertThat(ids).containsAll(afterRestart.keySet());

    // Before the kill: what completed but is not metered was still in the Meter's queue, so it completed within the
    // last flush interval (plus the time a batch takes to write, and scheduling on a loaded machine).
    List<Completed> lost = new ArrayList<>();
    for (Completed c : beforeKill.values()) if (!ids.contains(c.requestId())) lost.add(c);
    long oldestLostMs = lost.stream().mapToLong(c -> killedAt - c.atMillis()).max().orElse(0);
    long inFlight = ledger.keySet().stream().filter(id -> !ids.contains(id) && !beforeKill.containsKey(id)
        && !afterRestart.containsKey(id)).count();
    long meteredBeforeKill = beforeKill.keySet().stream().filter(ids::contains).count();
    System.out.printf("crash: %d requests completed before the kill in %d ms, %d metered, %d lost (completed at most "
            + "%d ms before the kill; flush interval %d ms); %d were in flight at the kill (served in part, not "
            + "metered); %d after the restart, all metered%n", beforeKill.size(), killedAt - loadStarted,
        meteredBeforeKill, lost.size(), oldestLostMs, FLUSH_MILLIS, inFlight, afterRestart.size());
    assertThat(meteredBeforeKill).as("records written before the kill").isPositive();
    assertThat(oldestLostMs).as("age of the oldest lost record at the kill, ms").isLessThanOrEqualTo(5 * FLUSH_MILLIS);
    assertThat(inFlight).as("requests in flight at the kill").isLessThanOrEqualTo(CLIENTS);
  }

  /**
   * {@value #CLIENTS} clients sending requests back to back, alternating relayed and translated models, plain and
   * streamed, until told to stop; each completed request is noted with its gateway request id. Bounded: every client
   * stops after {@code 20 × target} requests at most, and the wait for the target has a deadline.
   */
  private static final class Load {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch target;
    private final List<Thread> threads = new ArrayList<>();

    Load(String baseUrl, Map<String, Completed> completed, int target) {
      this.target = new CountDownLatch(target);
      for (int t = 0; t < CLIENTS; t++) {
        int client = t;
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 20 * target && !stopped.get(); i++) {
            try {
              String id = send(baseUrl, client, i);
              if (id != null) {
                completed.put(id, new Completed(id, System.currentTimeMillis()));
                this.target.countDown();
              }
            } catch (Exception e) {
              if (stopped.get()) return; // the gateway was killed under this request
            }
          }
        }, "load-" + t);
        thread.start();
        threads.add(thread);
      }
    }

    private String send(String baseUrl, int client, int i) throws Exception {
      boolean stream = i % 2 == 0;
      boolean anthropic = (i / 2 + client) % 2 == 0;
      String model = anthropic ? "translated" : "relayed";
      String prompt = "client " + client + " request " + i;
      HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(20)).header("content-type",
          "application/json");
      if (anthropic) {
        b.uri(URI.create(baseUrl + "/v1/messages")).header("x-api-key", KEY).header("anthropic-version", "2023-06-01")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":"
                + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"));
      } else {
        b.uri(URI.create(baseUrl + "/v1/chat/completions")).header("authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"));
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      // A stream is complete only with its end event: a killed gateway cuts it short.
      boolean whole = r.statusCode() == 200 && (!stream || r.body().contains(anthropic ? "message_stop" : "[DONE]"));
      return whole ? r.headers().firstValue("x-request-id").orElse(null) : null;
    }

    void awaitCompleted() throws InterruptedException {
      if (!target.await(60, TimeUnit.SECONDS)) {
        stop();
        throw new AssertionError("the load did not complete " + target.getCount() + " more requests within 60 s");
      }
    }

    void stop() throws InterruptedException {
      stopped.set(true);
      for (Thread t : threads) t.join(30_000);
      http.close();
    }
  }
}
