package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.Main;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * The key, team and usage commands as a new user runs them, in-process against a running gateway that generated its
 * own master key: the commands find it in {@code --home}. A key made by the CLI is used by the OpenAI SDK, the usage
 * CSV matches the simulator's ledger, and a revoked key is refused.
 */
final class AdminCommandsTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static Simulator sim;
  static Gateway gateway;
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up", "r1",
        List.of("sim-large"), 0, Duration.ZERO, 0, 12, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, base_url: "%s", api_key: k}
        models:
          - {name: metered, provider: up, model: sim-large, price: {input: 1, output: 2}}
          - {name: other, provider: up, model: sim-large}
        """.formatted(sim.deployment("up").baseUrl()));
    home = dir.resolve("home");
    Map<String, String> env = Map.of(); // no SWITCHBOARD_MASTER_KEY: the gateway writes master.key into its home
    gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)), env::get,
        ExchangeObserver.NONE);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (sim != null) sim.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "http://127.0.0.1:" + gateway.port(), "--home", home.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aNewUserMakesATeamAndAKeyUsesItWatchesUsageAndRevokesIt() {
    Run team = run("teams", "create", "ml", "--rpm", "600", "--budget", "50/day");
    assertThat(team.exit()).as(team.err()).isZero();
    assertThat(team.out()).contains("Created team 'ml'").contains("600 rpm").contains("$50/day");

    Run created = run("keys", "create", "--team", "ml", "--name", "ci", "--budget", "5/day", "--budget", "100/month",
        "--rpm", "60", "--tpm", "100000", "--concurrency", "4", "--models", "metered", "--expires", "30d");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).contains("only time the key is shown").contains("60 rpm, 100000 tpm, 4 concurrent")
        .contains("$5/day, $100/month").contains("models:   metered");
    Matcher m = Pattern.compile("sk-sbv-[A-Za-z0-9_-]{55}").matcher(created.out());
    assertThat(m.find()).isTrue();
    String key = m.group();
    String id = key.substring("sk-sbv-".length(), "sk-sbv-".length() + 12);

    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(key).maxRetries(0)
        .build();
    try {
      for (int i = 0; i < 2; i++) {
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("metered")
            .addUserMessage("from the CLI walkthrough " + i).build());
      }

      Run list = run("keys", "list", "--team", "ml");
      assertThat(list.out()).contains("PREFIX").contains("sk-sbv-" + id).contains("ci").contains("active")
          .doesNotContain(key);
      Run shown = run("keys", "show", "sk-sbv-" + id);
      assertThat(shown.out()).contains("Key 'ci'").contains("team:     ml").contains("spent:");

      Run csv = awaitCsv(2);
      List<LedgerEntry> ledger = sim.ledger().entries();
      assertThat(ledger).hasSize(2);
      String[] lines = csv.out().split("\r\n");
      assertThat(lines[0]).isEqualTo("model,requests,errors,input_tokens,output_tokens,cache_read_tokens,"
          + "cache_write_tokens,reasoning_tokens,cost_usd,estimated");
      String[] row = lines[1].split(",");
      long input = ledger.stream().mapToLong(LedgerEntry::promptTokens).sum();
      long output = ledger.stream().mapToLong(LedgerEntry::completionTokens).sum();
      assertThat(row[0]).isEqualTo("metered");
      assertThat(Long.parseLong(row[3])).isEqualTo(input);
      assertThat(Long.parseLong(row[4])).isEqualTo(output);
      assertThat(new java.math.BigDecimal(row[8])).isEqualByComparingTo(
          java.math.BigDecimal.valueOf(input + 2 * output).movePointLeft(6));

      Run byKey = run("usage", "--by", "key,day");
      assertThat(byKey.exit()).isZero();
      assertThat(byKey.out()).contains("ci (" + id + ")").contains("TOTAL");
      JsonNode json = Json.MAPPER.readTree(run("usage", "--by", "team", "--json").out());
      assertThat(json.path("rows").get(0).path("team_name").asString()).isEqualTo("ml");
      assertThat(json.path("total").path("input_tokens").asLong()).isEqualTo(input);

      Run revoked = run("keys", "revoke", id);
      assertThat(revoked.exit()).isZero();
      assertThat(revoked.out()).contains("Revoked key 'ci'");
      assertThat(run("keys", "list").out()).contains("revoked");
      assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("metered").addUserMessage("after revocation").build()))
          .isInstanceOf(com.openai.errors.UnauthorizedException.class);
    } finally {
      client.close();
    }
  }

  @Test
  void updatesChangeOnlyWhatIsGiven() {
    assertThat(run("teams", "create", "ops", "--concurrency", "8").exit()).isZero();
    Run updated = run("teams", "update", "ops", "--rpm", "120");
    assertThat(updated.out()).contains("120 rpm, 8 concurrent");
    assertThat(run("teams", "update", "ops", "--concurrency", "none").out()).contains("limits:   120 rpm\n");
    JsonNode key = Json.MAPPER.readTree(run("keys", "create", "--team", "ops", "--json").out());
    String id = key.path("id").asString();
    Run models = run("keys", "update", id, "--models", "other", "--budget", "1/total");
    assertThat(models.out()).contains("models:   other").contains("$1/total");
    assertThat(run("keys", "update", id, "--models", "all", "--budget", "none").out()).contains("models:   all")
        .contains("budgets:  -");
    assertThat(run("teams", "list").out()).contains("ops").contains("NAME");
    assertThat(run("teams", "show", "ops").out()).contains("keys:     1");
  }

  @Test
  void errorsAreOneLineAndANonZeroExit() {
    Run missing = run("keys", "show", "nosuchkey000");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).startsWith("switchboard: no key 'nosuchkey000'").hasLineCount(1);
    assertThat(run("teams", "create", "dup").exit()).isZero();
    Run dup = run("teams", "create", "dup");
    assertThat(dup.exit()).isEqualTo(1);
    assertThat(dup.err()).contains("already exists").hasLineCount(1);
    Run bad = run("keys", "create", "--rpm", "lots");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("limits.rpm");
    Run badBy = run("usage", "--by", "week");
    assertThat(badBy.exit()).isEqualTo(1);
    assertThat(badBy.err()).contains("group_by");

    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
        .execute("keys", "list", "--url", "http://127.0.0.1:1", "--home", home.toString());
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("cannot reach the gateway").contains("--url");
  }

  /** Polls {@code usage --by model --csv} until the Meter (200 ms batches) has written {@code requests}. */
  private static Run awaitCsv(int requests) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Run r = run("usage", "--by", "model", "--model", "metered", "--csv");
      assertThat(r.exit()).as(r.err()).isZero();
      String[] lines = r.out().split("\r\n");
      if (lines.length > 1 && lines[1].split(",")[1].equals(Integer.toString(requests))) return r;
      if (System.nanoTime() > deadline) throw new AssertionError("usage never showed " + requests + ": " + r.out());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
