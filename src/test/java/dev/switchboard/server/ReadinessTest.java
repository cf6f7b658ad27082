package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.HealthSource.Effect;
import dev.switchboard.server.HealthSource.Probe;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The readiness verdict: the worst source decides, degraded stays in rotation, a silent source is bounded. */
final class ReadinessTest {
  private final Vertx vertx = Vertx.vertx();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HealthSource fixed(String name, Effect effect, Map<String, Object> state) {
    return new HealthSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Probe probe() {
        return new Probe(effect, state);
      }
    };
  }

  /** Blocks until the test ends: a database that hangs. */
  private HealthSource hanging(String name, Effect silent) {
    return new HealthSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Probe probe() {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new Probe(Effect.READY, Map.of("state", "up"));
      }

      @Override
      public Effect whenSilent() {
        return silent;
      }
    };
  }

  private record Seen(int status, JsonNode body) {}

  private Seen check(Readiness readiness) throws Exception {
    CompletableFuture<Readiness.Answer> answer = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> readiness.check().onComplete(ar -> {
      if (ar.succeeded()) answer.complete(ar.result());
      else answer.completeExceptionally(ar.cause());
    }));
    Readiness.Answer a = answer.get(10, TimeUnit.SECONDS);
    return new Seen(a.status(), Json.MAPPER.readTree(a.body().getBytes()));
  }

  @Test
  void everySourceUpIsReadyWith200AndEachSourcesState() throws Exception {
    Seen seen = check(new Readiness(vertx, List.of(fixed("store", Effect.READY, Map.of("type", "sqlite", "state",
        "up")), HealthSource.off("redis")), 3, 5_000));
    assertThat(seen.status()).isEqualTo(200);
    assertThat(seen.body().path("status").asString()).isEqualTo("ready");
    assertThat(seen.body().path("store").path("type").asString()).isEqualTo("sqlite");
    assertThat(seen.body().path("store").path("state").asString()).isEqualTo("up");
    assertThat(seen.body().path("redis").path("state").asString()).isEqualTo("off");
    assertThat(seen.body().path("providers").asInt()).isEqualTo(3);
  }

  @Test
  void degradedStaysInRotationAndUnreadyAnswers503() throws Exception {
    HealthSource storeDown = fixed("store", Effect.DEGRADED, Map.of("state", "down", "spooled", 12));
    Seen degraded = check(new Readiness(vertx, List.of(storeDown, HealthSource.off("redis")), 1, 5_000));
    assertThat(degraded.status()).isEqualTo(200);
    assertThat(degraded.body().path("status").asString()).isEqualTo("degraded");
    assertThat(degraded.body().path("store").path("spooled").asInt()).isEqualTo(12);

    HealthSource redisDown = fixed("redis", Effect.UNREADY, Map.of("state", "down"));
    Seen unready = check(new Readiness(vertx, List.of(storeDown, redisDown), 1, 5_000));
    assertThat(unready.status()).isEqualTo(503);
    assertThat(unready.body().path("status").asString()).isEqualTo("unready");
  }

  @Test
  void aSourceThatHangsIsReportedSilentAtTheDeadlineAndNotAskedAgainWhileBusy() throws Exception {
    Readiness readiness = new Readiness(vertx, List.of(hanging("store", Effect.DEGRADED),
        fixed("redis", Effect.READY, Map.of("state", "up"))), 1, 200);
    Seen first = check(readiness);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().path("status").asString()).isEqualTo("degraded");
    assertThat(first.body().path("store").path("state").asString()).isEqualTo("down");
    assertThat(first.body().path("store").path("detail").asString()).isEqualTo("no answer within 200 ms");
    assertThat(first.body().path("redis").path("state").asString()).isEqualTo("up");

    Seen second = check(readiness);
    assertThat(second.body().path("store").path("detail").asString())
        .isEqualTo("still answering an earlier health check");
  }

  @Test
  void aSilentSourceWhoseLossRefusesRequestsMakesTheInstanceUnready() throws Exception {
    Seen seen = check(new Readiness(vertx, List.of(hanging("redis", Effect.UNREADY)), 1, 100));
    assertThat(seen.status()).isEqualTo(503);
    assertThat(seen.body().path("redis").path("state").asString()).isEqualTo("down");
  }
}
