package dev.switchboard.server;

import dev.switchboard.server.HealthSource.Effect;
import dev.switchboard.server.HealthSource.Probe;
import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers {@code GET /health/ready}: asks every {@link HealthSource} at once on worker threads, waits at most a
 * deadline, and reports the worst effect as the instance's status: {@code ready} and {@code degraded} answer 200 (keep
 * this instance in rotation), {@code unready} answers 503 (take it out). A source still busy with the previous check
 * (a database that hangs) is not asked again but reported silent, so that probes never pile up on the worker pool.
 * Thread-safe; {@link #check} is called on an event loop and completes on it.
 */
final class Readiness {
  private final Vertx vertx;
  private final List<Asked> sources;
  private final int providers;
  private final long deadlineMillis;

  /**
   * @param providers how many providers the gateway routes to, reported as {@code "providers"}
   * @param deadlineMillis how long a check waits for its sources; positive
   */
  Readiness(Vertx vertx, List<HealthSource> sources, int providers, long deadlineMillis) {
    this.vertx = vertx;
    this.sources = sources.stream().map(Asked::new).toList();
    this.providers = providers;
    this.deadlineMillis = deadlineMillis;
  }

  /** The answer: an HTTP status and a JSON body. */
  record Answer(int status, Buffer body) {}

  /** Asks every source; never fails. Call on an event loop: the answer completes on it. */
  Future<Answer> check() {
    List<Future<Probe>> probes = new ArrayList<>(sources.size());
    for (Asked s : sources) probes.add(s.ask());
    if (probes.isEmpty()) return Future.succeededFuture(answer(probes));
    Promise<Answer> done = Promise.promise();
    long timer = vertx.setTimer(deadlineMillis, id -> done.tryComplete(answer(probes)));
    Future.join(probes).onComplete(ignored -> {
      vertx.cancelTimer(timer);
      done.tryComplete(answer(probes));
    });
    return done.future();
  }

  private Answer answer(List<Future<Probe>> probes) {
    Effect worst = Effect.READY;
    Map<String, Object> parts = new LinkedHashMap<>();
    for (int i = 0; i < probes.size(); i++) {
      Asked source = sources.get(i);
      Future<Probe> f = probes.get(i);
      Probe p = f.succeeded() ? f.result() : source.silent(f.failed() ? f.cause() : null);
      if (p.effect().compareTo(worst) > 0) worst = p.effect();
      parts.put(source.source.name(), p.state());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", worst.name().toLowerCase(Locale.ROOT));
    body.putAll(parts);
    body.put("providers", providers);
    return new Answer(worst == Effect.UNREADY ? 503 : 200, Buffer.buffer(Json.MAPPER.writeValueAsBytes(body)));
  }

  private final class Asked {
    final HealthSource source;
    private final AtomicBoolean busy = new AtomicBoolean();

    Asked(HealthSource source) {
      this.source = source;
    }

    Future<Probe> ask() {
      if (!busy.compareAndSet(false, true)) return Future.failedFuture(new Busy());
      return vertx.executeBlocking(() -> {
        try {
          return source.probe();
        } finally {
          busy.set(false);
        }
      }, false);
    }

    Probe silent(Throwable cause) {
      String detail = cause instanceof Busy ? "still answering an earlier health check"
          : cause != null ? "health check failed: " + cause.getClass().getSimpleName()
          : "no answer within " + deadlineMillis + " ms";
      return new Probe(source.whenSilent(), Map.of("state", "down", "detail", detail));
    }
  }

  private static final class Busy extends RuntimeException {
    Busy() {
      super(null, null, false, false);
    }
  }
}
