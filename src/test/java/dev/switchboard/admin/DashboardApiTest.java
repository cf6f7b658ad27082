package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.sim.Fault;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** What the dashboard stands on: its static files and GET /admin/overview and /admin/events. */
class DashboardApiTest {
  @TempDir static Path dir;
  static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = GatewayFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.gateway().openAiBaseUrl().replaceAll("/v1$", "")
        + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return f.send(b.build());
  }

  private static HttpResponse<String> admin(String path) {
    return get(path, "authorization", "Bearer " + GatewayFixture.MASTER_KEY);
  }

  @Test
  void theFilesAreServedWithoutAKeyAndNothingElseIs() {
    HttpResponse<String> page = get("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow()).contains("default-src 'none'");
    assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\">");
    assertThat(get("/ui").statusCode()).isEqualTo(308);
    assertThat(get("/ui/app.js").headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
    assertThat(get("/ui/style.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
    String etag = page.headers().firstValue("etag").orElseThrow();
    assertThat(get("/ui/", "if-none-match", etag).statusCode()).isEqualTo(304);
    for (String path : new String[] {"/ui/%2e%2e/pom.xml", "/ui/..%2f..%2fpom.xml", "/ui/ui/app.js",
        "/ui/dev/switchboard/Main.class", "/ui/db/sqlite/V1__usage.sql", "/ui/app.js/"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(404);
    }
    HttpResponse<String> post = f.send(HttpRequest.newBuilder(URI.create(f.gateway().openAiBaseUrl()
        .replaceAll("/v1$", "") + "/ui/")).POST(HttpRequest.BodyPublishers.ofString("")).build());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void theOverviewCountsTrafficAndTheLedgerSpend() throws Exception {
    for (int i = 0; i < 3; i++) {
      f.client().chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
          .addUserMessage("count to 3").build());
    }
    JsonNode o = Json.MAPPER.readTree(admin("/admin/overview?window=30s").body());
    assertThat(o.get("window_seconds").asInt()).isEqualTo(30);
    assertThat(o.get("requests").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(o.get("latency_ms").get("p50").asLong()).isPositive();
    // Spend comes from the ledger, which the Meter writes every 200 ms.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (o.get("requests_today").asLong() < 3 && System.nanoTime() < deadline) {
      o = Json.MAPPER.readTree(admin("/admin/overview").body());
    }
    assertThat(o.get("spend_today_usd").asString()).isNotEqualTo("0");
    assertThat(o.get("requests_today").asLong()).isGreaterThanOrEqualTo(3);

    HttpResponse<String> bad = admin("/admin/overview?window=1h");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(bad.body()).get("error").get("param").asString()).isEqualTo("window");
    assertThat(get("/admin/overview").statusCode()).isEqualTo(401);
  }

  @Test
  void aTrippedCircuitIsAnEvent() throws Exception {
    f.sim().setFault(GatewayFixture.FAULTY, Fault.refuse());
    try {
      f.post("/chat/completions", "{\"model\":\"faulty\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    } finally {
      f.clearFaults();
    }
    assertThat(events()).contains("circuit_open sim-faulty/sim-large");
    // Once the ejection is over, the next request is the probe; its answer closes the circuit again.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!events().contains("circuit_closed sim-faulty/sim-large") && System.nanoTime() < deadline) {
      f.post("/chat/completions", "{\"model\":\"faulty\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll, not flood
    }
    assertThat(events()).containsSubsequence("circuit_closed sim-faulty/sim-large", "circuit_open sim-faulty/sim-large");
    assertThat(admin("/admin/events?limit=0").statusCode()).isEqualTo(400);
  }

  /** The event log, newest first, as "type deployment". */
  private static java.util.List<String> events() throws Exception {
    JsonNode data = Json.MAPPER.readTree(admin("/admin/events?limit=50").body()).get("data");
    return data.valueStream().map(e -> e.get("type").asString() + " " + e.path("deployment").asString("")).toList();
  }
}
