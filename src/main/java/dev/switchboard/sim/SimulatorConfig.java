package dev.switchboard.sim;

import dev.switchboard.util.Checks;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fleet to simulate. Immutable and validated on construction: names must be unique, and fixed (non-zero) ports
 * must differ from each other and from the control port.
 *
 * @param host interface to bind, normally {@code 127.0.0.1}
 * @param controlPort port of the control API, 0 for an ephemeral one
 * @param deployments at least one deployment
 */
public record SimulatorConfig(String host, int controlPort, List<SimDeploymentSpec> deployments) {

  public SimulatorConfig {
    Checks.notBlank(host, "host");
    Checks.between(controlPort, 0, 65535, "controlPort");
    Checks.argument(deployments != null && !deployments.isEmpty(), "deployments : %s (expected: at least one)",
        deployments);
    deployments = List.copyOf(deployments);
    Set<String> names = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    if (controlPort != 0) ports.add(controlPort);
    for (SimDeploymentSpec d : deployments) {
      Checks.argument(names.add(d.name()), "deployment name %s is used twice (expected: unique names)", d.name());
      Checks.argument(d.port() == 0 || ports.add(d.port()),
          "port %s of deployment %s is already taken by the control API or another deployment", d.port(), d.name());
    }
  }

  /**
   * The zero-config catalog: {@code sim-us-east} ({@code us-east-1}) and {@code sim-eu-west} ({@code eu-west-1}), each
   * serving {@code sim-large}, {@code sim-small} and {@code sim-embed}, paced like a real model (150 ms to first
   * token, 60 tokens/s, 24-token answers). All ports are ephemeral.
   */
  public static SimulatorConfig demo() {
    List<String> models = List.of("sim-large", "sim-small", "sim-embed");
    Duration ttft = Duration.ofMillis(150);
    return new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("sim-us-east", "us-east-1", models, 0, ttft, 60, 24, 1),
        new SimDeploymentSpec("sim-eu-west", "eu-west-1", models, 0, ttft, 60, 24, 2)));
  }
}
