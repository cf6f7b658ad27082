package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.testing.GatewayFixture;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance matrix: every client SDK family (front door) against every backend protocol, feature by feature.
 * Each cell runs the official SDK unchanged but for its endpoint, through Switchboard to the simulator (which speaks
 * every backend protocol itself), whose deterministic answers make each feature visible (see docs/simulator.md: "repeat the system prompt", "how many
 * images", "use every tool", prompt-cache accounting). The run writes its result table into docs/compatibility.md,
 * and fails if any applicable cell fails.
 */
final class ConformanceMatrixTest {
  private static final String KEY = "matrix-key";

  @TempDir static Path dir;
  static final List<AutoCloseable> clients = new ArrayList<>();
  static GatewayFixture upstreams;
  static Gateway gateway;
  static List<Cell> backends;

  @BeforeAll
  static void start() throws Exception {
    upstreams = GatewayFixture.start(Files.createDirectories(dir.resolve("upstreams")));
    var fast = upstreams.sim().deployment(GatewayFixture.FAST);
    var faulty = upstreams.sim().deployment(GatewayFixture.FAULTY);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: openai-sim, base_url: "%s", api_key: k}
          - {name: openai-faulty, base_url: "%s", api_key: k}
          - {name: anthropic-sim, type: anthropic, base_url: "%s", api_key: k}
          - {name: anthropic-faulty, type: anthropic, base_url: "%s", api_key: k}
          - {name: bedrock-sim, type: bedrock, base_url: "%s", region: us-west-2}
          - {name: bedrock-faulty, type: bedrock, base_url: "%s", region: us-west-2}
          - {name: gemini-sim, type: gemini, base_url: "%s", api_key: k}
          - {name: gemini-faulty, type: gemini, base_url: "%s", api_key: k}
        models:
          - {name: m-openai, provider: openai-sim, model: sim-large}
          - {name: m-openai-faulty, provider: openai-faulty, model: sim-large, retry: {attempts: 1}}
          - {name: m-anthropic, provider: anthropic-sim, model: sim-large}
          - {name: m-anthropic-faulty, provider: anthropic-faulty, model: sim-large, retry: {attempts: 1}}
          - {name: m-bedrock, provider: bedrock-sim, model: sim-large}
          - {name: m-bedrock-faulty, provider: bedrock-faulty, model: sim-large, retry: {attempts: 1}}
          - {name: m-gemini, provider: gemini-sim, model: sim-large}
          - {name: m-gemini-faulty, provider: gemini-faulty, model: sim-large, retry: {attempts: 1}}
        """.formatted(fast.baseUrl(), faulty.baseUrl(), fast.anthropicBaseUrl(), faulty.anthropicBaseUrl(),
        fast.bedrockBaseUrl(), faulty.bedrockBaseUrl(), fast.geminiBaseUrl(), faulty.geminiBaseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", KEY,
        "AWS_ACCESS_KEY_ID", GatewayFixture.MASTER_KEY, "AWS_SECRET_ACCESS_KEY", GatewayFixture.MASTER_KEY);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, ExchangeObserver.NONE);
    Runnable throttle = () -> upstreams.sim().setFault(GatewayFixture.FAULTY, Fault.status429(1).withCount(1));
    backends = List.of(
        new Cell("OpenAI-compatible", "m-openai", "m-openai-faulty", throttle, false),
        new Cell("Anthropic", "m-anthropic", "m-anthropic-faulty", throttle, true),
        new Cell("Bedrock", "m-bedrock", "m-bedrock-faulty", throttle, true),
        new Cell("Gemini", "m-gemini", "m-gemini-faulty", throttle, false));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : clients) c.close();
    if (gateway != null) gateway.close();
    if (upstreams != null) upstreams.close();
  }

  @Test
  void everyFrontDoorWorksWithEveryBackend() throws Exception {
    Map<String, Map<String, Check>> doors = new LinkedHashMap<>();
    doors.put("OpenAI SDK", track(new OpenAiSdkCells(gateway.openAiBaseUrl(), KEY)).checks());
    doors.put("Anthropic SDK", track(new AnthropicSdkCells("http://127.0.0.1:" + gateway.port(), KEY)).checks());
    doors.put("AWS SDK (Bedrock)", track(new BedrockSdkCells(URI.create("http://127.0.0.1:" + gateway.port()), KEY))
        .checks());
    Set<String> features = new LinkedHashSet<>();
    doors.values().forEach(checks -> features.addAll(checks.keySet()));

    List<String> failures = new ArrayList<>();
    Set<String> notApplicable = new LinkedHashSet<>();
    StringBuilder table = new StringBuilder();
    table.append("| client SDK | backend | ").append(String.join(" | ", features)).append(" |\n|---|---|");
    features.forEach(f -> table.append("---|"));
    table.append('\n');
    for (var door : doors.entrySet()) {
      for (Cell backend : backends) {
        table.append("| ").append(door.getKey()).append(" | ").append(backend.backend()).append(" |");
        for (String feature : features) {
          Check check = door.getValue().get(feature);
          try {
            if (check == null) throw new NotApplicable("no such feature in this SDK");
            check.run(backend);
            table.append(" ✅ |");
          } catch (NotApplicable n) {
            table.append(" — |");
            notApplicable.add(feature + ": " + n.getMessage());
          } catch (Throwable t) {
            table.append(" ❌ |");
            failures.add(door.getKey() + " × " + backend.backend() + " × " + feature + ": " + t);
          } finally {
            upstreams.clearFaults();
          }
        }
        table.append('\n');
      }
    }
    table.append("\n— not applicable (").append(String.join("; ", notApplicable)).append(").\n");
    writeIntoCompatibilityDoc(table.toString());
    assertThat(failures).isEmpty();
  }

  private static <T extends AutoCloseable> T track(T client) {
    clients.add(client);
    return client;
  }

  private static void writeIntoCompatibilityDoc(String table) throws Exception {
    Path doc = Path.of("docs/compatibility.md");
    if (!Files.exists(doc)) return; // not run from the project's root
    String text = Files.readString(doc);
    int begin = text.indexOf("<!-- matrix:begin -->");
    int end = text.indexOf("<!-- matrix:end -->");
    if (begin < 0 || end < begin) return;
    String block = "<!-- matrix:begin -->\n\nWritten by `ConformanceMatrixTest` on " + LocalDate.now() + ": each cell is "
        + "the official SDK, unchanged but for its endpoint, through Switchboard to the simulator.\n\n" + table + "\n";
    Files.writeString(doc, text.substring(0, begin) + block + text.substring(end));
  }
}
