package dev.switchboard.drill;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The outage drill: a real gateway in front of simulated deployments of one model in two regions and two
 * provider protocols (OpenAI-compatible and Anthropic), steady load from a bounded set of clients, and the
 * primary region taken down hard, soft and slow in turn, then brought back. Everything runs in this process on
 * loopback and stops by itself when the plan's phases are over.
 */
public final class Drill {
  static final String PRIMARY = "us-east";
  static final String SECONDARY = "eu-west";
  private static final String KEY = "sk-sb-drill";

  private final DrillPlan plan;
  private final Path dir;

  public Drill(DrillPlan plan, Path dir) {
    this.plan = plan;
    this.dir = dir;
  }

  public DrillReport run() throws Exception {
    Vertx vertx = Vertx.vertx();
    Simulator sim = null;
    Gateway gateway = null;
    try {
      List<SimDeploymentSpec> specs = List.of(
          spec("east-openai", PRIMARY), spec("east-anthropic", PRIMARY),
          spec("west-openai", SECONDARY), spec("west-anthropic", SECONDARY));
      sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, specs)).toCompletionStage()
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      gateway = startGateway(sim);
      return drive(sim, gateway);
    } finally {
      if (gateway != null) gateway.close();
      if (sim != null) sim.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Paced like a fast hosted model: 20 ms to the first token, then 400 tokens/s, 16-token answers. */
  private static SimDeploymentSpec spec(String name, String region) {
    return new SimDeploymentSpec(name, region, List.of("sim-large"), 0, Duration.ofMillis(20), 400, 16,
        name.hashCode());
  }

  private Gateway startGateway(Simulator sim) throws IOException {
    // The primary region is cheaper, so it takes all the traffic while it is healthy. A first attempt without an
    // answer after 250 ms gets a hedged twin elsewhere, and a hung upstream is given up on after 500 ms: the
    // drill's "slow" outage measures how fast those move traffic.
    String yaml = """
        providers:
          - {name: east-openai, base_url: "%s", api_key: k, region: %s, timeouts: {first_byte: 500ms}}
          - {name: east-anthropic, type: anthropic, base_url: "%s", api_key: k, region: %s, timeouts: {first_byte: 500ms}}
          - {name: west-openai, base_url: "%s", api_key: k, region: %s, timeouts: {first_byte: 500ms}}
          - {name: west-anthropic, type: anthropic, base_url: "%s", api_key: k, region: %s, timeouts: {first_byte: 500ms}}
        models:
          - name: drill
            strategy: cheapest
            retry: {hedge_after: 250ms}
            deployments:
              - {provider: east-openai, model: sim-large, price: {input: 1, output: 2}}
              - {provider: east-anthropic, model: sim-large, price: {input: 1.1, output: 2.2}}
              - {provider: west-openai, model: sim-large, price: {input: 1.5, output: 3}}
              - {provider: west-anthropic, model: sim-large, price: {input: 1.6, output: 3.2}}
        """.formatted(sim.deployment("east-openai").baseUrl(), PRIMARY,
        sim.deployment("east-anthropic").anthropicBaseUrl(), PRIMARY,
        sim.deployment("west-openai").baseUrl(), SECONDARY,
        sim.deployment("west-anthropic").anthropicBaseUrl(), SECONDARY);
    Files.createDirectories(dir);
    Path file = dir.resolve("drill.yaml");
    Files.writeString(file, yaml);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", KEY);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, "127.0.0.1", dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  private DrillReport drive(Simulator sim, Gateway gateway) throws Exception {
    URI uri = URI.create(gateway.openAiBaseUrl() + "/chat/completions");
    List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    warmUp(http, uri);
    long start = System.nanoTime();
    long end = start + plan.total().toNanos();
    List<long[]> phaseStarts = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < plan.clients(); i++) {
        clients.submit(() -> {
          while (System.nanoTime() - end < 0) outcomes.add(call(http, uri, start));
          return null;
        });
      }
      long at = start;
      for (DrillPlan.Phase phase : plan.phases()) {
        apply(sim, phase.outage());
        phaseStarts.add(new long[] {at - start});
        at += phase.length().toNanos();
        long wait = at - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the drill's own clock, not a test's synchronisation
      }
      apply(sim, DrillPlan.Outage.NONE);
      clients.shutdown();
      if (!clients.awaitTermination(30, TimeUnit.SECONDS)) clients.shutdownNow();
    } finally {
      http.close();
    }
    List<Long> starts = new ArrayList<>();
    for (long[] s : phaseStarts) starts.add(s[0]);
    return DrillReport.of(plan, starts, new ArrayList<>(outcomes));
  }

  /**
   * A cold JVM answers its first requests slowly enough to trip the drill's 500 ms first-byte timeout; those
   * would measure the JIT, not failover. Bounded: at most 200 requests or 20 s.
   */
  private void warmUp(HttpClient http, URI uri) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int ok = 0;
    for (int i = 0; i < 200 && ok < 50 && System.nanoTime() - until < 0; i++) {
      if (call(http, uri, 0).ok()) ok++;
    }
  }

  private static void apply(Simulator sim, DrillPlan.Outage outage) {
    for (String d : List.of("east-openai", "east-anthropic")) {
      sim.setFault(d, switch (outage) {
        case NONE -> null;
        case HARD -> Fault.refuse();
        case SOFT -> Fault.status(503);
        case SLOW -> Fault.hang();
      });
    }
  }

  private Outcome call(HttpClient http, URI uri, long origin) {
    boolean stream = ThreadLocalRandom.current().nextDouble() < plan.streamShare();
    String body = "{\"model\":\"drill\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"count to 12\"}]}";
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    long t0 = System.nanoTime();
    try {
      HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      String text;
      try (InputStream in = resp.body()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      boolean ok = resp.statusCode() == 200 && (stream
          ? text.endsWith("data: [DONE]\n\n") && !text.contains("\"error\"")
          : text.contains("1 2 3 4 5 6 7 8 9 10 11 12"));
      int attempts = Integer.parseInt(resp.headers().firstValue("x-switchboard-attempts").orElse("1"));
      return new Outcome(t0 - origin, System.nanoTime() - t0, stream, ok, resp.statusCode(),
          resp.headers().firstValue("x-switchboard-region").orElse(null), attempts);
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return new Outcome(t0 - origin, System.nanoTime() - t0, stream, false, 0, null, 1);
    }
  }
}
