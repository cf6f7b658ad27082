package dev.switchboard;

import dev.switchboard.cli.DrillCommand;
import dev.switchboard.cli.KeysCommand;
import dev.switchboard.cli.RoutesCommand;
import dev.switchboard.cli.SecretsCommand;
import dev.switchboard.cli.ServeCommand;
import dev.switchboard.cli.SimulateCommand;
import dev.switchboard.cli.TeamsCommand;
import dev.switchboard.cli.UsageCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code switchboard serve | simulate | routes | drill | keys | teams | usage | secrets}. */
@Command(name = "switchboard",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Self-hosted AI model gateway: one endpoint for the OpenAI, Anthropic and Bedrock SDKs.",
    subcommands = {ServeCommand.class, SimulateCommand.class, RoutesCommand.class, DrillCommand.class,
        KeysCommand.class, TeamsCommand.class, UsageCommand.class, SecretsCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
