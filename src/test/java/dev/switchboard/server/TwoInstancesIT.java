package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.metering.GatewayProcess;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.testing.LocalPostgres;
import dev.switchboard.testing.LocalRedis;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two gateways as real processes ({@code bin/switchboard serve}), each with its own state directory, one config that
 * points both at the same PostgreSQL database and Redis server, the same master key and the same encryption key, in
 * front of one in-process simulator. What an operator gets behind a load balancer: keys, limits, budgets and usage
 * hold across the instances exactly as on one.
 *
 * <p>The model's input is free and its output costs $100 per million tokens; every request asks for 100 tokens and
 * the simulator's answer is longer, so each request reserves and costs exactly $0.01 (as in
 * {@code access.BudgetE2ETest}).
 */
final class TwoInstancesIT {
  private static final String MASTER = "sk-two-instances-master-7d41";
  /** 32 bytes, base64: both instances must decrypt what either encrypted (SigV4 secrets of virtual keys). */
  private static final String ENCRYPTION = "dHdvLWluc3RhbmNlcy1zaGFyZWQtZW5jcnlwdGlvbiE=";
  /** How long an instance may take to see a key another instance created or revoked (pub/sub, then a reload). */
  private static final Duration PROPAGATION = Duration.ofSeconds(5);

  private static LocalRedis redis;

  @TempDir Path dir;
  private Vertx vertx;
  private Simulator sim;
  private GatewayProcess a;
  private GatewayProcess b;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startRedis() {
    redis = LocalRedis.newServer();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) redis.stop();
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // The answer's head waits 300 ms, so that concurrent requests overlap and refusals meet reservations in flight.
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up", "r1",
        List.of("sim-large"), 0, Duration.ofMillis(300), 0, 400, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Path config = dir.resolve("switchboard.yaml");
    Files.writeString(config, """
        server: {host: 127.0.0.1}
        store:
          type: postgres
          url: "%s"
          user: %s
          pool_size: 4
        redis:
          url: "%s"
          on_failure: closed
        providers:
          - {name: up, base_url: "%s", api_key: k}
        models:
          - {name: budgeted, provider: up, model: sim-large, price: {input: 0, output: 100}}
        """.formatted(LocalPostgres.shared().newDatabase(), LocalPostgres.shared().user(), redis.url(),
        sim.deployment("up").baseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER, "SWITCHBOARD_ENCRYPTION_KEY", ENCRYPTION);
    // One after the other: the first applies the migrations, the second finds them applied.
    a = GatewayProcess.start(dir.resolve("home-a"), config, env);
    b = GatewayProcess.start(dir.resolve("home-b"), config, env);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (a != null) a.close();
      if (b != null) b.close();
    } finally {
      http.close();
      if (sim != null) sim.close();
      if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void bothAreReadyOnTheSharedStoreAndCache() throws Exception {
    for (GatewayProcess g : List.of(a, b)) {
      HttpResponse<String> ready = send(g, "GET", "/health/ready", null, null);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(ready.body());
      assertThat(body.path("status").asString()).isEqualTo("ready");
      assertThat(body.path("store").path("type").asString()).isEqualTo("postgres");
      assertThat(body.path("store").path("state").asString()).isEqualTo("up");
      assertThat(body.path("redis").path("state").asString()).isEqualTo("up");
      assertThat(ready.body()).doesNotContain(MASTER, ENCRYPTION);
    }
  }

  @Test
  void aKeyMadeOnOneInstanceWorksOnTheOtherAndUsageIsSeenFromEither() throws Exception {
    JsonNode created = admin(a, 201, "POST", "/admin/keys", "{\"name\": \"shared\"}");
    String id = created.path("id").asString();
    String secret = created.path("key").asString();
    long seenAfter = awaitKnown(b, secret);
    System.out.printf("two instances: a key created on A was usable on B after %d ms%n", seenAfter);

    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = chat(i % 2 == 0 ? a : b, secret, "request " + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    // Each instance's Meter writes its own records; both read the one ledger.
    for (GatewayProcess g : List.of(a, b)) {
      JsonNode usage = await(g, "/admin/usage?group_by=key&key=" + id,
          j -> j.path("total").path("requests").asLong() == 6);
      assertThat(new BigDecimal(usage.path("total").path("cost_usd").asString())).isEqualByComparingTo("0.06");
    }
  }

  @Test
  void aRateLimitHoldsOverBothInstances() throws Exception {
    JsonNode created = admin(a, 201, "POST", "/admin/keys", "{\"name\": \"limited\", \"limits\": {\"rpm\": 5}}");
    String secret = created.path("key").asString();
    awaitKnown(b, secret);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) statuses.add(chat(i % 2 == 0 ? a : b, secret, "request " + i).statusCode());
    assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
  }

  @Test
  void fiveHundredConcurrentRequestsOverBothInstancesSpendTheDollarExactly() throws Exception {
    JsonNode created = admin(a, 201, "POST", "/admin/keys", "{\"name\": \"budgeted\", \"budgets\": [\"1/total\"]}");
    String id = created.path("id").asString();
    String secret = created.path("key").asString();
    awaitKnown(b, secret);

    int n = 500;
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) sent.add(http.sendAsync(chatRequest(i % 2 == 0 ? a : b, secret, "request " + i),
        HttpResponse.BodyHandlers.ofString()));
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    int admitted = 0;
    int refused = 0;
    int[] admittedBy = new int[2];
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = sent.get(i).join();
      if (r.statusCode() == 200) {
        admitted++;
        admittedBy[i % 2]++;
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        refused++;
      }
    }
    assertThat(admitted).isEqualTo(100);
    assertThat(refused).isEqualTo(400);
    assertThat(sim.ledger().entries()).hasSize(100);
    JsonNode usage = await(a, "/admin/usage?group_by=key&key=" + id,
        j -> j.path("total").path("requests").asLong() >= 100);
    assertThat(usage.path("total").path("requests").asLong()).isEqualTo(100);
    BigDecimal spent = new BigDecimal(usage.path("total").path("cost_usd").asString());
    assertThat(spent).isEqualByComparingTo("1");
    System.out.printf("two instances, budget $1, 500 concurrent requests of $0.01: %d admitted (%d by A, %d by B), "
        + "%d refused, ledger spend $%s%n", admitted, admittedBy[0], admittedBy[1], refused, spent.toPlainString());
  }

  @Test
  void aKeyRevokedOnOneInstanceStopsOnTheOther() throws Exception {
    JsonNode created = admin(a, 201, "POST", "/admin/keys", "{\"name\": \"doomed\"}");
    String id = created.path("id").asString();
    String secret = created.path("key").asString();
    awaitKnown(b, secret);
    assertThat(chat(b, secret, "before").statusCode()).isEqualTo(200);

    admin(a, 200, "DELETE", "/admin/keys/" + id, null);
    long started = System.nanoTime();
    long deadline = started + PROPAGATION.toNanos();
    // Polled with a call that authenticates and returns at once (a chat takes the simulator's 300 ms).
    while (send(b, "GET", "/v1/models", secret, null).statusCode() == 200) {
      assertThat(System.nanoTime()).as("B still accepts the key %s after its revocation on A", PROPAGATION)
          .isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    HttpResponse<String> r = chat(b, secret, "after");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("revoked");
    System.out.printf("two instances: a key revoked on A was refused on B after %d ms%n", tookMs);
  }

  /**
   * What docs/operations.md tells an operator to do: the example nginx config in front of both instances. A key's
   * rpm limit holds through the balancer, and a stream passes through it whole. Skipped where nginx is not installed.
   */
  @Test
  void behindTheExampleNginxConfigLimitsHoldAndStreamsPass() throws Exception {
    try (Nginx lb = Nginx.start(dir.resolve("nginx"), a, b, http)) {
      JsonNode created = admin(a, 201, "POST", "/admin/keys", "{\"name\": \"balanced\", \"limits\": {\"rpm\": 5}}");
      String secret = created.path("key").asString();
      awaitKnown(b, secret);
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) statuses.add(viaBalancer(lb, secret, false, "via nginx " + i).statusCode());
      assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);

      HttpResponse<String> stream = viaBalancer(lb, MASTER, true, "a stream via nginx");
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t)
          .startsWith("text/event-stream"));
      assertThat(stream.body()).contains("data: [DONE]");
    }
  }

  /**
   * No single point of failure: with one instance killed (SIGKILL, as a crashed machine), every request through the
   * example nginx config is still answered, by the other instance: nginx moves a request whose connection is refused
   * to the next server, and skips the dead one afterwards.
   */
  @Test
  void behindTheExampleNginxConfigAKilledInstanceLosesNoRequestThatWasNotInFlight() throws Exception {
    try (Nginx lb = Nginx.start(dir.resolve("nginx"), a, b, http)) {
      for (int i = 0; i < 10; i++) {
        assertThat(viaBalancer(lb, MASTER, i % 2 == 0, "before " + i).statusCode()).isEqualTo(200);
      }
      b.kill();
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 20; i++) statuses.add(viaBalancer(lb, MASTER, i % 2 == 0, "after " + i).statusCode());
      assertThat(statuses).containsOnly(200);
      assertThat(sim.ledger().entries()).hasSize(30);
      // Some of them were sent to the dead instance first, and moved.
      assertThat(Files.readString(dir.resolve("nginx/error.log"))).contains("Connection refused");
    }
  }

  private HttpResponse<String> viaBalancer(Nginx lb, String key, boolean stream, String prompt) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(lb.url() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"budgeted\",\"stream\":" + stream + ",\"max_tokens\":100,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"" + prompt + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code deploy/nginx.conf} as shipped, its listen port and two upstream servers rewritten to this test's. */
  private static final class Nginx implements AutoCloseable {
    private final Process process;
    private final String url;

    private Nginx(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    /** Starts nginx and waits (20 s at most) until it answers a readiness check through to an instance. */
    static Nginx start(Path work, GatewayProcess a, GatewayProcess b, HttpClient http) throws Exception {
      Path nginx = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").map(Path::of).filter(Files::isExecutable)
          .findFirst().orElse(null);
      Assumptions.assumeTrue(nginx != null, "nginx is not installed");
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      String hostA = a.baseUrl().substring("http://".length());
      String hostB = b.baseUrl().substring("http://".length());
      String example = Files.readString(Path.of("deploy/nginx.conf"))
          .replace("listen 8040;", "listen 127.0.0.1:" + port + ";")
          .replace("server 127.0.0.1:8041", "server " + hostA)
          .replace("server 127.0.0.1:8042", "server " + hostB);
      assertThat(example).contains("listen 127.0.0.1:" + port, hostA, hostB);
      Files.createDirectories(work);
      Files.writeString(work.resolve("switchboard.conf"), example);
      Files.writeString(work.resolve("nginx.conf"), """
          daemon off; pid %1$s/nginx.pid; error_log %1$s/error.log warn;
          events {}
          http {
            access_log off;
            client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
            include %1$s/switchboard.conf;
          }
          """.formatted(work));
      Process p = new ProcessBuilder(nginx.toString(), "-c", work.resolve("nginx.conf").toString(), "-p",
          work.toString()).redirectErrorStream(true).redirectOutput(work.resolve("out.log").toFile()).start();
      Nginx lb = new Nginx(p, "http://127.0.0.1:" + port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      try {
        while (true) {
          try {
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(lb.url + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() == 200) return lb;
          } catch (java.io.IOException e) {
            // not listening yet
          }
          assertThat(p.isAlive()).as("nginx runs: %s", Files.readString(work.resolve("out.log"))).isTrue();
          assertThat(System.nanoTime()).as("nginx answered within 20 s").isLessThan(deadline);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      } catch (Throwable t) {
        lb.close();
        throw t;
      }
    }

    String url() {
      return url;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: the master stops its workers
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until {@code g} accepts the key, by a call that authenticates but counts against no limit or budget
   * (listing models); returns how long that took, in milliseconds.
   */
  private long awaitKnown(GatewayProcess g, String secret) throws Exception {
    long started = System.nanoTime();
    long deadline = started + PROPAGATION.toNanos();
    while (true) {
      HttpResponse<String> r = send(g, "GET", "/v1/models", secret, null);
      if (r.statusCode() == 200) return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      if (System.nanoTime() > deadline) throw new AssertionError("the other instance did not accept a new key "
          + "within " + PROPAGATION + ": " + r.body());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private HttpRequest chatRequest(GatewayProcess g, String key, String prompt) {
    String body = "{\"model\":\"budgeted\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt + "\"}]}";
    return HttpRequest.newBuilder(URI.create(g.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private HttpResponse<String> chat(GatewayProcess g, String key, String prompt) throws Exception {
    return http.send(chatRequest(g, key, prompt), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(GatewayProcess g, String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(g.baseUrl() + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) req.header("authorization", "Bearer " + key);
    if (body != null) req.header("content-type", "application/json");
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode admin(GatewayProcess g, int status, String method, String path, String body) throws Exception {
    HttpResponse<String> r = send(g, method, path, MASTER, body);
    if (r.statusCode() != status) throw new AssertionError(method + " " + path + " answered " + r.statusCode() + " "
        + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /** Polls an admin GET until its JSON satisfies {@code done}: each instance's Meter writes every 200 ms. */
  private JsonNode await(GatewayProcess g, String path, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode j = admin(g, 200, "GET", path, null);
      if (done.test(j)) return j;
      if (System.nanoTime() > deadline) throw new AssertionError("within 20 s, " + path + " never gave what was "
          + "awaited; last: " + j);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
