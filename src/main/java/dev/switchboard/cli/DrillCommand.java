package dev.switchboard.cli;

import dev.switchboard.drill.Drill;
import dev.switchboard.drill.DrillPlan;
import dev.switchboard.drill.DrillReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchboard drill}: the outage drill (see {@link Drill}); prints its report, and with {@code --write}
 * puts it, dated, into the benchmarks document.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
    description = "Run the outage drill: steady load through a gateway onto simulated deployments in two regions, "
        + "the primary region taken down hard, soft and slow, and what clients saw.")
public final class DrillCommand implements Callable<Integer> {
  @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--steady", defaultValue = "12s", converter = SimulateCommand.DurationConverter.class,
      description = "Length of each healthy phase (default: ${DEFAULT-VALUE})")
  Duration steady;

  @Option(names = "--outage", defaultValue = "8s", converter = SimulateCommand.DurationConverter.class,
      description = "Length of each outage (default: ${DEFAULT-VALUE})")
  Duration outage;

  @Option(names = "--write", description = "Also write the report into this markdown file, between "
      + "<!-- drill:begin --> and <!-- drill:end -->")
  Path write;

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || clients > 1024) {
      System.err.println("switchboard: --clients must be from 1 to 1024");
      return 2;
    }
    DrillPlan plan = DrillPlan.standard(clients, steady, outage);
    System.out.println("Drill: " + clients + " clients for " + plan.total().toSeconds() + " s ...");
    DrillReport report = new Drill(plan, Files.createTempDirectory("switchboard-drill")).run();
    String text = report.markdown();
    System.out.print(text);
    if (write != null) {
      String doc = Files.readString(write);
      int begin = doc.indexOf("<!-- drill:begin -->");
      int end = doc.indexOf("<!-- drill:end -->");
      if (begin < 0 || end < begin) {
        System.err.println("switchboard: " + write + " has no <!-- drill:begin --> / <!-- drill:end --> markers");
        return 1;
      }
      String block = "<!-- drill:begin -->\n\n`bin/switchboard drill --clients " + clients + " --steady "
          + steady.toMillis() + "ms --outage " + outage.toMillis() + "ms`, run on " + LocalDate.now() + " on "
          + Runtime.getRuntime().availableProcessors() + " cores:\n\n" + text + "\n";
      Files.writeString(write, doc.substring(0, begin) + block + doc.substring(end));
    }
    return report.clientErrors() == 0 ? 0 : 1;
  }
}
