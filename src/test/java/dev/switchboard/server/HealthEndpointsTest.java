package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import dev.switchboard.testing.LocalPostgres;
import dev.switchboard.testing.LocalRedis;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code /health/live} and {@code /health/ready} of a real gateway on the embedded store, asked as a load balancer
 * asks: no key, plain GET.
 */
final class HealthEndpointsTest {
  private static final String MASTER = "sk-health-master-key-5f1e";
  private static final String ENCRYPTION = "aGVhbHRoLXRlc3QtZW5jcnlwdGlvbi1rZXktMzJieXQ=";
  private static final String PROVIDER_KEY = "sk-provider-secret-9c2d";

  @TempDir Path dir;
  private Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    gateway = start("");
  }

  /** A gateway with two providers and {@code extra} YAML (a store section). */
  private Gateway start(String extra) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, base_url: "http://127.0.0.1:9/v1", api_key: %s}
          - {name: other, base_url: "http://127.0.0.1:9/v1", api_key: %s}
        models:
          - {name: m, provider: up}
        """.formatted(PROVIDER_KEY, PROVIDER_KEY) + extra);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER, "SWITCHBOARD_ENCRYPTION_KEY", ENCRYPTION);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  @AfterEach
  void stop() {
    if (gateway != null) gateway.close();
    http.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void liveNeedsNoKey() throws Exception {
    HttpResponse<String> live = get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(Json.MAPPER.readTree(live.body()).path("status").asString()).isEqualTo("live");
  }

  @Test
  void readyReportsTheStoreTheCacheAndTheProvidersWithoutAKeyOrASecret() throws Exception {
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.headers().firstValue("cache-control")).hasValue("no-store");
    JsonNode body = Json.MAPPER.readTree(ready.body());
    assertThat(body.path("status").asString()).isEqualTo("ready");
    assertThat(body.path("store").path("type").asString()).isEqualTo("sqlite");
    assertThat(body.path("store").path("state").asString()).isEqualTo("up");
    assertThat(body.path("store").path("latency_ms").isNumber()).isTrue();
    assertThat(body.path("store").path("spooled").asLong()).isZero();
    assertThat(body.path("redis").path("state").asString()).isEqualTo("off");
    assertThat(body.path("providers").asInt()).isEqualTo(2);
    assertThat(ready.body()).doesNotContain(MASTER, ENCRYPTION, PROVIDER_KEY, dir.toString());
  }

  /**
   * A store that cannot answer (here: closed under the running gateway) degrades the instance but keeps it in
   * rotation, since routing goes on without it.
   */
  @Test
  void aStoreThatCannotAnswerIsDegradedAndStaysInRotation() throws Exception {
    gateway.store().close();
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = Json.MAPPER.readTree(ready.body());
    assertThat(body.path("status").asString()).isEqualTo("degraded");
    assertThat(body.path("store").path("state").asString()).isEqualTo("down");
    assertThat(body.path("store").path("detail").asString()).isNotEmpty();
    assertThat(ready.body()).doesNotContain(MASTER, ENCRYPTION, PROVIDER_KEY);
  }

  /**
   * On PostgreSQL: up, then down (the server stopped under the running gateway: degraded, still 200, with the
   * driver's reason and never the password), then up again once the server is back.
   */
  @Test
  void onPostgresTheOutageDegradesAndRecovers() throws Exception {
    gateway.close();
    LocalPostgres pg = LocalPostgres.shared();
    String password = "pg-password-never-shown-81f3";
    gateway = start("""
        store:
          type: postgres
          url: "%s"
          user: %s
          password: %s
          pool_size: 2
        """.formatted(pg.newDatabase(), pg.user(), password));
    JsonNode up = Json.MAPPER.readTree(get("/health/ready").body());
    assertThat(up.path("status").asString()).isEqualTo("ready");
    assertThat(up.path("store").path("type").asString()).isEqualTo("postgres");
    assertThat(up.path("store").path("state").asString()).isEqualTo("up");

    pg.stop();
    try {
      HttpResponse<String> down = get("/health/ready");
      assertThat(down.statusCode()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(down.body());
      assertThat(body.path("status").asString()).isEqualTo("degraded");
      assertThat(body.path("store").path("state").asString()).isEqualTo("down");
      assertThat(body.path("store").path("detail").asString()).isNotEmpty();
      assertThat(down.body()).doesNotContain(password, MASTER, ENCRYPTION, PROVIDER_KEY);
    } finally {
      pg.start();
    }
    // Back: the pool makes new connections on demand; bounded wait for a check that finds it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonNode again = Json.MAPPER.readTree(get("/health/ready").body());
    while (!again.path("status").asString().equals("ready") && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      again = Json.MAPPER.readTree(get("/health/ready").body());
    }
    assertThat(again.path("status").asString()).as(again.toString()).isEqualTo("ready");
  }

  /**
   * With Redis and {@code on_failure: closed}: up, then (server stopped) unready with 503 — keys with limits would
   * be refused, so a load balancer must take the instance out — then ready again once Redis is back.
   */
  @Test
  void withRedisClosedAnOutageIsUnreadyAndRecovers() throws Exception {
    gateway.close();
    LocalRedis redis = LocalRedis.newServer();
    try {
      gateway = start("""
          redis: {url: "%s", on_failure: closed}
          """.formatted(redis.url()));
      JsonNode up = awaitReady(b -> b.path("redis").path("state").asString().equals("up"));
      assertThat(up.path("status").asString()).isEqualTo("ready");
      assertThat(up.path("redis").path("on_failure").asString()).isEqualTo("closed");

      redis.stop();
      JsonNode down = awaitReady(b -> b.path("redis").path("state").asString().equals("down"));
      assertThat(down.path("status").asString()).isEqualTo("unready");
      assertThat(get("/health/ready").statusCode()).isEqualTo(503);
      assertThat(down.path("redis").path("detail").asString()).contains("refused with 503");

      redis.start();
      JsonNode back = awaitReady(b -> b.path("status").asString().equals("ready"));
      assertThat(back.path("redis").path("state").asString()).isEqualTo("up");
    } finally {
      redis.stop();
    }
  }

  /** Polls /health/ready until its JSON satisfies {@code done}; Redis's state changes as its link notices. */
  private JsonNode awaitReady(Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode body = Json.MAPPER.readTree(get("/health/ready").body());
      if (done.test(body)) return body;
      if (System.nanoTime() > deadline) throw new AssertionError("within 20 s /health/ready never gave what was "
          + "awaited; last: " + body);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
