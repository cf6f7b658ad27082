package dev.switchboard.sim;

/** STUB. */
public record SimulatorConfig(String host) {
  public static SimulatorConfig demo() {
    return new SimulatorConfig("127.0.0.1");
  }
}
