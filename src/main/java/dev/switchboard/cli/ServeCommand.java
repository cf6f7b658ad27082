package dev.switchboard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code switchboard serve}: starts the gateway. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the gateway.")
public final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
