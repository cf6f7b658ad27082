package dev.switchboard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code switchboard simulate}: runs the built-in provider simulator on its own. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Run the built-in provider simulator (OpenAI-compatible deployments with faults).")
public final class SimulateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
