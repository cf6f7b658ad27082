package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The control API over HTTP: listing, faults, outages, ledger, and helpful 400s. */
final class SimControlApiTest {
  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "east", 1), SimFixture.instant("b", "west", 2));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static HttpResponse<String> call(String method, String path, String body) {
    return fx.send(HttpRequest.newBuilder(URI.create(fx.sim.controlUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  private static JsonNode json(HttpResponse<String> r) {
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void listsDeployments() {
    assertThat(fx.sim.controlUrl()).startsWith("http://127.0.0.1:");
    HttpResponse<String> r = call("GET", "/sim/deployments", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode a = json(r).at("/deployments/0");
    assertThat(a.get("name").asString()).isEqualTo("a");
    assertThat(a.get("region").asString()).isEqualTo("east");
    assertThat(a.get("base_url").asString()).isEqualTo(fx.sim.deployment("a").baseUrl());
    assertThat(a.get("bedrock_base_url").asString()).isEqualTo(fx.sim.deployment("a").bedrockBaseUrl())
        .isEqualTo(fx.sim.deployment("a").anthropicBaseUrl());
    assertThat(a.get("models").size()).isEqualTo(3);
    assertThat(a.get("fault").isNull()).isTrue();
    assertThat(a.get("down").asBoolean()).isFalse();
    assertThat(a.get("listening").asBoolean()).isTrue();
  }

  @Test
  void setsAndClearsFaults() {
    HttpResponse<String> put = call("PUT", "/sim/deployments/b/fault", "{\"kind\":\"status\",\"status\":503,\"count\":2}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(json(put).at("/fault/kind").asString()).isEqualTo("status");
    assertThat(json(put).at("/fault/remaining").asInt()).isEqualTo(2);
    HttpResponse<String> chat = fx.post(fx.sim.deployment("b").baseUrl() + "/chat/completions",
        "{\"model\":\"sim-large\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "authorization", "Bearer k");
    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(json(call("GET", "/sim/deployments/b", null)).at("/fault/remaining").asInt()).isEqualTo(1);

    assertThat(call("PUT", "/sim/deployments/b/fault", "{\"kind\":\"cut\",\"after_tokens\":5}").statusCode())
        .isEqualTo(200);
    assertThat(call("PUT", "/sim/deployments/b/fault", "{\"kind\":\"slow_first_byte\",\"delay_ms\":2000}").statusCode())
        .isEqualTo(200);
    HttpResponse<String> del = call("DELETE", "/sim/deployments/b/fault", null);
    assertThat(del.statusCode()).isEqualTo(200);
    assertThat(json(del).get("fault").isNull()).isTrue();
  }

  @Test
  void refuseAndRegionOutageOverHttp() throws Exception {
    int port = fx.sim.deployment("a").port();
    assertThat(json(call("PUT", "/sim/deployments/a/fault", "{\"kind\":\"refuse\"}")).get("listening").asBoolean())
        .isFalse();
    assertThat(canConnect(port)).isFalse();
    call("DELETE", "/sim/deployments/a/fault", null);
    assertThat(canConnect(port)).isTrue();

    HttpResponse<String> down = call("PUT", "/sim/regions/east/outage", null);
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(json(down).get("deployments").get(0).asString()).isEqualTo("a");
    assertThat(canConnect(port)).isFalse();
    assertThat(json(call("GET", "/sim/deployments/a", null)).get("down").asBoolean()).isTrue();
    assertThat(call("DELETE", "/sim/regions/east/outage", null).statusCode()).isEqualTo(200);
    assertThat(canConnect(port)).isTrue();
  }

  @Test
  void badInputSaysWhatIsValid() {
    HttpResponse<String> kind = call("PUT", "/sim/deployments/a/fault", "{\"kind\":\"explode\"}");
    assertThat(kind.statusCode()).isEqualTo(400);
    assertThat(json(kind).at("/error/message").asString()).contains("slow_first_byte").contains("refuse");

    HttpResponse<String> field = call("PUT", "/sim/deployments/a/fault", "{\"kind\":\"cut\",\"after\":5}");
    assertThat(field.statusCode()).isEqualTo(400);
    assertThat(json(field).at("/error/message").asString()).contains("after_tokens");

    HttpResponse<String> status = call("PUT", "/sim/deployments/a/fault", "{\"kind\":\"status\",\"status\":200}");
    assertThat(status.statusCode()).isEqualTo(400);
    assertThat(json(status).at("/error/message").asString()).contains("400..599");

    HttpResponse<String> negative = call("PUT", "/sim/deployments/a/fault", "{\"kind\":\"cut\",\"after_tokens\":-1}");
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(json(negative).at("/error/message").asString()).contains("after_tokens").contains(">= 0");

    assertThat(call("PUT", "/sim/deployments/a/fault", "not json").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown = call("PUT", "/sim/deployments/zz/fault", "{\"kind\":\"hang\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/message").asString()).contains("[a, b]");
    assertThat(call("PUT", "/sim/regions/moon/outage", null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/nothing", null).statusCode()).isEqualTo(404);
  }

  @Test
  void ledgerAsJsonAndClear() throws Exception {
    fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions",
        "{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}",
        "authorization", "Bearer k", "x-request-id", "ctl-1");
    fx.sim.ledger().await(e -> e.requestId().equals("ctl-1")).get(10, TimeUnit.SECONDS);
    JsonNode entries = json(call("GET", "/sim/ledger", null)).get("entries");
    JsonNode e = null;
    for (JsonNode x : entries) if (x.get("request_id").asString().equals("ctl-1")) e = x;
    assertThat(e).isNotNull();
    assertThat(e.get("completion_tokens").asInt()).isEqualTo(Tokens.count("1 2 3"));
    assertThat(e.get("prompt_tokens").asInt()).isPositive();
    assertThat(e.get("cache_read_tokens").asInt()).isZero();
    assertThat(e.get("cache_write_tokens").asInt()).isZero();
    assertThat(e.get("outcome").asString()).isEqualTo("completed");
    assertThat(e.get("endpoint").asString()).isEqualTo("chat");
    assertThat(e.get("stream").asBoolean()).isFalse();
    assertThat(e.get("seq").asLong()).isPositive();

    assertThat(call("DELETE", "/sim/ledger", null).statusCode()).isEqualTo(204);
    assertThat(fx.sim.ledger().entries()).noneMatch(x -> x.requestId().equals("ctl-1"));
  }

  private static boolean canConnect(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return s.isConnected();
    } catch (ConnectException e) {
      return false;
    }
  }
}
