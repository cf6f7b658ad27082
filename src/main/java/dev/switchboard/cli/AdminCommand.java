package dev.switchboard.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that calls the running gateway's admin API. Prints to picocli's writers (so tests can read them);
 * an API error becomes one line on stderr and exit code 1.
 */
abstract class AdminCommand implements Callable<Integer> {
  @Mixin GatewayOptions gateway;

  @Option(names = "--json", description = "Print the gateway's JSON answer as it is, for scripts")
  boolean json;

  @Spec CommandSpec spec;

  /** Does the work; what it prints goes to {@link #out()}. */
  abstract void run(AdminClient admin);

  @Override
  public final Integer call() {
    try (AdminClient admin = gateway.client()) {
      run(admin);
      out().flush();
      return 0;
    } catch (AdminClient.Failure e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("switchboard: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
