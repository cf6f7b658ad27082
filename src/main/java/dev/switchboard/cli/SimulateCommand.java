package dev.switchboard.cli;

import dev.switchboard.sim.SimDeployment;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard simulate}: runs the built-in provider simulator on its own until killed. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Run the built-in provider simulator (OpenAI-compatible deployments with faults).")
public final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "9100",
      description = "Port of the first deployment; deployment i listens on port+i, 0 for ephemeral ports "
          + "(default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--control-port", defaultValue = "9099", description = "Control API port (default: ${DEFAULT-VALUE}).")
  int controlPort;

  @Option(names = "--deployments", defaultValue = "2",
      description = "Number of deployments; 2 gives sim-us-east and sim-eu-west, other counts sim-1..N in "
          + "region-1..N (default: ${DEFAULT-VALUE}).")
  int deployments;

  @Option(names = "--models", split = ",", defaultValue = "sim-large,sim-small,sim-embed",
      description = "Model ids every deployment serves (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--ttft", defaultValue = "150ms", converter = DurationConverter.class,
      description = "Time to first token, e.g. 150ms, 2s, 0 (default: ${DEFAULT-VALUE}).")
  Duration ttft;

  @Option(names = "--tps", defaultValue = "60",
      description = "Tokens per second per choice; 0 sends as fast as possible (default: ${DEFAULT-VALUE}).")
  double tps;

  @Option(names = "--output-tokens", defaultValue = "24",
      description = "Length of generated answers in tokens (default: ${DEFAULT-VALUE}).")
  int outputTokens;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the generated words; deployment i uses seed+i (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws InterruptedException {
    SimulatorConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    Vertx vertx = Vertx.vertx();
    Simulator sim;
    try {
      sim = Simulator.start(vertx, config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      vertx.close();
      spec.commandLine().getErr().println("simulate: cannot start: " + (e.getCause() != null ? e.getCause() : e));
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort on the way out; the process is ending anyway
      } finally {
        stopped.countDown();
      }
    }, "simulator-shutdown"));

    out.println("Switchboard provider simulator");
    for (SimDeployment d : sim.deployments()) {
      out.printf(Locale.ROOT, "  %-14s %-12s %s   models: %s%n", d.name(), d.region(), d.baseUrl(),
          String.join(", ", d.models()));
    }
    out.println("  control API    " + sim.controlUrl() + "/sim/deployments");
    out.println("OpenAI clients use the URLs above; Anthropic and Gemini clients, and the AWS SDKs' Bedrock Runtime");
    out.println("clients (as their endpoint override), the same without /v1 (http://host:port).");
    out.println("Any non-empty API key, and any SigV4 signature, is accepted. Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  /** The fleet the options describe; throws IllegalArgumentException naming the bad option. */
  SimulatorConfig config() {
    if (deployments < 1) throw new IllegalArgumentException("--deployments : " + deployments + " (expected: >= 1)");
    if (port != 0 && (port < 1 || port + deployments - 1 > 65535)) {
      throw new IllegalArgumentException("--port : " + port + " (expected: 0, or 1.." + (65536 - deployments)
          + " so that all " + deployments + " deployments fit)");
    }
    List<SimDeploymentSpec> specs = new ArrayList<>();
    for (int i = 0; i < deployments; i++) {
      String name = deployments == 2 ? (i == 0 ? "sim-us-east" : "sim-eu-west") : "sim-" + (i + 1);
      String region = deployments == 2 ? (i == 0 ? "us-east-1" : "eu-west-1") : "region-" + (i + 1);
      specs.add(new SimDeploymentSpec(name, region, models, port == 0 ? 0 : port + i, ttft, tps, outputTokens,
          seed + i));
    }
    return new SimulatorConfig(host, controlPort, specs);
  }

  /** Reads {@code 150ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 0} or an ISO-8601 duration. */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("p")) return Duration.parse(value.trim());
        if (v.equals("0")) return Duration.ZERO;
        if (v.endsWith("ms")) return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6));
        if (v.endsWith("s")) return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9));
        if (v.endsWith("m")) return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
      } catch (RuntimeException e) {
        // fall through to the message below
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 150ms, 2s, 1m or 0");
    }
  }
}
