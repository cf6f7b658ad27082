package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.SimulatorConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option parsing of {@code switchboard simulate}; starting it is covered by the simulator's own tests. */
final class SimulateCommandTest {
  private static SimulatorConfig parse(String... args) {
    SimulateCommand cmd = new SimulateCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.config();
  }

  @Test
  void defaultsMatchTheDemo() {
    SimulatorConfig c = parse();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.controlPort()).isEqualTo(9099);
    assertThat(c.deployments()).extracting(SimDeploymentSpec::name).containsExactly("sim-us-east", "sim-eu-west");
    assertThat(c.deployments()).extracting(SimDeploymentSpec::port).containsExactly(9100, 9101);
    SimDeploymentSpec d = c.deployments().getFirst();
    assertThat(d.models()).containsExactly("sim-large", "sim-small", "sim-embed");
    assertThat(d.timeToFirstToken()).isEqualTo(Duration.ofMillis(150));
    assertThat(d.tokensPerSecond()).isEqualTo(60);
    assertThat(d.outputTokens()).isEqualTo(24);
  }

  @Test
  void customFleet() {
    SimulatorConfig c = parse("--deployments", "3", "--port", "0", "--models", "m1,m2", "--ttft", "0",
        "--tps", "0", "--output-tokens", "5", "--seed", "9");
    assertThat(c.deployments()).extracting(SimDeploymentSpec::name).containsExactly("sim-1", "sim-2", "sim-3");
    assertThat(c.deployments()).extracting(SimDeploymentSpec::region).containsExactly("region-1", "region-2", "region-3");
    assertThat(c.deployments()).extracting(SimDeploymentSpec::port).containsOnly(0);
    assertThat(c.deployments()).extracting(SimDeploymentSpec::seed).containsExactly(9L, 10L, 11L);
    assertThat(c.deployments().getFirst().timeToFirstToken()).isZero();
    assertThat(parse("--ttft", "1.5s").deployments().getFirst().timeToFirstToken()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> parse("--ttft", "soon")).hasMessageContaining("150ms");
    assertThatThrownBy(() -> parse("--deployments", "0")).hasMessageContaining("--deployments");
    assertThatThrownBy(() -> parse("--port", "65535", "--deployments", "3")).hasMessageContaining("--port");
  }
}
