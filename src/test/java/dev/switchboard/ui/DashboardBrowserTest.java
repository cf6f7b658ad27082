package dev.switchboard.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.access.Keys;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core from
 * {@code src/test/ui/dashboard.mjs}, against a zero-config gateway whose simulator has us-east-1 and eu-west-1.
 * The script logs in, creates a key; this test sends traffic with that key through the OpenAI SDK; the script sees
 * it in the overview, the spend view and the request log (filtered by model, one request's detail); this test takes
 * us-east-1 down; the script sees the health map change.
 * The two sides take turns over the script's stdout (JSON lines) and stdin. Screenshots go to
 * {@code target/ui-screenshots}.
 */
class DashboardBrowserTest {
  private static final String MASTER = "sk-sb-ui-test-master-key-0123456789";
  private static final Path SCRIPT_DIR = Path.of("src/test/ui");
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final long STEP_SECONDS = 45;
  private static final String MARKUP = "say hi <img src=x onerror=alert(1)> <b>bold</b>";

  @TempDir Path home;

  @Test
  void anOperatorSeesTrafficKeysAndARegionOutage() throws Exception {
    String node = requireTools();
    String yaml = "discovery:\n  ollama_url: http://127.0.0.1:" + closedPort() + "/v1\n  vllm_url: http://127.0.0.1:"
        + closedPort() + "/v1\n";
    Files.writeString(home.resolve("switchboard.yaml"), yaml);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    SwitchboardConfig config = new ConfigLoader(env::get)
        .load(new ConfigLoader.Flags(home.resolve("switchboard.yaml"), 0, null, home.resolve("state")));
    Path shots = Path.of("target/ui-screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    try (Gateway g = Gateway.start(config, env::get, ExchangeObserver.NONE)) {
      assertThat(g.simulator()).as("the zero-config simulator").isNotNull();
      String base = g.openAiBaseUrl().substring(0, g.openAiBaseUrl().length() - "/v1".length());
      Process p = new ProcessBuilder(node, "dashboard.mjs", base, MASTER, shots.toString())
          .directory(SCRIPT_DIR.toFile())
          .redirectError(shots.resolve("node-stderr.log").toFile())
          .start();
      BlockingQueue<String> out = new LinkedBlockingQueue<>();
      List<String> transcript = new ArrayList<>();
      Thread reader = Thread.ofVirtual().start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) out.add(line);
        } catch (IOException e) {
          out.add("{\"event\":\"failed\",\"error\":\"reading the script's output: " + e.getMessage() + "\"}");
        }
        out.add("{\"event\":\"eof\"}");
      });
      try (Writer to = p.outputWriter(StandardCharsets.UTF_8)) {
        next(out, transcript, "logged_in");
        JsonNode created = next(out, transcript, "key_created");
        String key = created.get("key").asString();
        assertThat(key).startsWith("sk-sbv-");
        assertThat(created.get("revokedTeam").asString()).isEqualTo("ui-team");
        Map<String, VirtualKey> byName = new java.util.HashMap<>();
        for (VirtualKey k : g.keys().keys(null)) byName.put(k.name(), k);
        assertThat(byName.get("ui-revoke-me").enabled()).as("revoked in the page").isFalse();
        assertThat(byName.get("ui-browser-key").limits().rpm()).as("limit edited in the page").isEqualTo(900);
        assertThat(g.keys().key(key).name()).isEqualTo("ui-browser-key");

        // A key with content logging on, whose prompt carries markup the page must show as text.
        String auditedKey = g.keys().createKey(new Keys.KeySpec(null, "ui-audited", null, null, null, null, null,
            false, true)).secret();
        OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey(auditedKey).maxRetries(0).build()
            .chat().completions().create(ChatCompletionCreateParams.builder().model("sim-large")
                .addUserMessage(MARKUP).build());
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey(key).maxRetries(0)
            .build();
        for (int i = 0; i < 5; i++) chat(client);
        OpenAIClient master = OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey(MASTER).maxRetries(0)
            .build();
        for (int i = 0; i < 2; i++) chat(master, "sim-small"); // a second model for the request log's filter
        say(to, "traffic-sent");

        JsonNode seen = next(out, transcript, "traffic_seen");
        assertThat(Long.parseLong(seen.get("overview").get("requests").asString())).isGreaterThanOrEqualTo(5);
        assertThat(seen.get("spendRequests").asLong()).isEqualTo(5);
        assertThat(seen.get("hourlyRequests").asLong()).isEqualTo(5);
        assertThat(new java.math.BigDecimal(seen.get("keySpentToday").asString().substring(1))).isPositive();
        List<String> models = new ArrayList<>();
        for (JsonNode r : seen.get("allRequests")) models.add(r.get("model").asString());
        assertThat(models).as("the request log, newest first").containsExactly("sim-small", "sim-small", "sim-large",
            "sim-large", "sim-large", "sim-large", "sim-large", "sim-large");
        assertThat(seen.get("allRequests").get(2).get("key").asString()).startsWith("ui-browser-key sk-sbv-");
        assertThat(seen.get("allRequests").get(0).get("status").asString()).isEqualTo("200");
        assertThat(seen.get("smallRequests")).as("filtered by model").hasSize(2);
        assertThat(seen.get("olderPage")).as("the page older than the newest 5").hasSize(3);
        JsonNode detail = seen.get("requestDetail");
        assertThat(detail.get("keyName").asString()).isEqualTo("ui-browser-key");
        assertThat(detail.get("model").asString()).isEqualTo("sim-large");
        assertThat(detail.get("contentLogging").asString()).isEqualTo("false");
        assertThat(detail.get("note").asString()).contains("Content logging is off for this key")
            .contains("switchboard keys update " + g.keys().key(key).id() + " --log-content true");
        JsonNode content = seen.get("content");
        assertThat(content.get("shown").asBoolean()).as("the audited key's prompt and answer").isTrue();
        assertThat(content.get("request").asString()).contains(MARKUP);
        assertThat(content.get("answer").asString()).isNotBlank();
        assertThat(content.get("injected").asInt()).as("elements made from logged content").isZero();
        assertThat(seen.get("usEastBefore").asString()).isEqualTo("up");

        g.simulator().setRegionDown("us-east-1", true);
        for (int i = 0; i < 3; i++) chat(client); // fails over to eu-west-1; the first refusal trips the breaker
        say(to, "region-down");

        JsonNode done = next(out, transcript, "done");
        assertThat(done.get("usEast").asString()).isIn("degraded", "down");
        assertThat(done.get("euWest").asString()).isEqualTo("up");
        assertThat(texts(done.get("outOfRotation"))).contains("sim-us-east/sim-large");
        assertThat(texts(done.get("events"))).anySatisfy(e -> assertThat(e).contains("Circuit opened: "
            + "sim-us-east/sim-large (us-east-1)"));
        assertThat(done.get("storedAfterLogout").asInt()).as("the key is forgotten on logout").isZero();
        assertThat(texts(done.get("problems"))).as("script errors in the page").isEmpty();
        assertThat(texts(done.get("offsite"))).as("requests leaving the gateway").isEmpty();
      } finally {
        if (!p.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) p.destroyForcibly();
        reader.join(TimeUnit.SECONDS.toMillis(5));
      }
      assertThat(p.exitValue()).as("dashboard.mjs exit code; output: %s", transcript).isZero();
    }
  }

  private static void chat(OpenAIClient client) {
    chat(client, "sim-large");
  }

  private static void chat(OpenAIClient client, String model) {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(model).addUserMessage("count to 3").build());
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3");
  }

  private static void say(Writer to, String line) throws IOException {
    to.write(line + "\n");
    to.flush();
  }

  /** The script's next event, which must be {@code expected}; a failure or silence fails the test with its output. */
  private static JsonNode next(BlockingQueue<String> out, List<String> transcript, String expected)
      throws InterruptedException {
    String line = out.poll(STEP_SECONDS, TimeUnit.SECONDS);
    if (line == null) fail("dashboard.mjs said nothing for " + STEP_SECONDS + " s while the test waited for '"
        + expected + "'; output so far: " + transcript + " (stderr in target/ui-screenshots/node-stderr.log)");
    transcript.add(line);
    JsonNode event;
    try {
      event = Json.MAPPER.readTree(line);
    } catch (RuntimeException e) {
      return next(out, transcript, expected); // a stray line (a library's notice): skip it
    }
    if (!event.path("event").asString("").equals(expected)) {
      fail("dashboard.mjs: expected '" + expected + "', got " + line);
    }
    return event;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asString());
    return out;
  }

  /** Node, the script's npm packages and Chromium: bin/test installs all three. Missing ones fail, never skip. */
  private static String requireTools() {
    List<String> missing = new ArrayList<>();
    String node = which("node");
    if (node == null) missing.add("node (Debian package nodejs)");
    if (!Files.isExecutable(CHROMIUM)) missing.add("Chromium at " + CHROMIUM + " (Debian package chromium)");
    if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
      missing.add("playwright-core in src/test/ui/node_modules (npm ci in src/test/ui)");
    }
    if (!missing.isEmpty()) {
      fail("The browser test needs " + String.join(", ", missing) + ". bin/test installs them; or run "
          + "'apt-get install chromium nodejs npm' and '(cd src/test/ui && npm ci)'.");
    }
    return node;
  }

  private static String which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p.toString();
    }
    return null;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
