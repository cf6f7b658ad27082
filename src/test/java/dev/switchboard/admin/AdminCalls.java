package dev.switchboard.admin;

import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** Raw calls to a fixture gateway's admin API, as an administrator's script would make them. */
final class AdminCalls {
  private final GatewayFixture gw;

  AdminCalls(GatewayFixture gw) {
    this.gw = gw;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gw.gateway().port() + path);
  }

  HttpResponse<String> call(String method, String path, String body, String key, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("authorization", "Bearer " + key);
    if (body != null) b.header("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return gw.send(b.build());
  }

  HttpResponse<String> call(String method, String path, String body) {
    return call(method, path, body, GatewayFixture.MASTER_KEY);
  }

  /** The JSON answer of a call that must succeed with {@code status}. */
  JsonNode ok(int status, String method, String path, String body) {
    HttpResponse<String> r = call(method, path, body);
    if (r.statusCode() != status) {
      throw new AssertionError(method + " " + path + " answered " + r.statusCode() + " " + r.body());
    }
    return Json.MAPPER.readTree(r.body());
  }

  /** Polls GET {@code path} until its JSON satisfies {@code done}: the Meter writes every 200 ms. */
  JsonNode await(String path, Predicate<JsonNode> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonNode j = ok(200, "GET", path, null);
      if (done.test(j)) return j;
      if (System.nanoTime() > deadline) throw new AssertionError("within 10 s, " + path + " never gave what was "
          + "awaited; last: " + j);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  static JsonNode error(HttpResponse<String> r) {
    return Json.MAPPER.readTree(r.body()).path("error");
  }
}
