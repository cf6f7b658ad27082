package dev.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short outage drill: the primary region goes down hard, soft and slow under steady load, and no client sees
 * an error (but for streams the outage cut after they had started, which end with an in-stream error). How fast traffic moves is the benchmark's to report (bin/switchboard drill), not this test's.
 */
final class DrillTest {
  @TempDir Path dir;

  @Test
  void regionOutagesOfEveryKindCostClientsNothing() throws Exception {
    DrillReport report = new Drill(DrillPlan.standard(4, Duration.ofMillis(800), Duration.ofMillis(1500)), dir).run();
    System.out.print(report.markdown());
    assertThat(report.requests()).isPositive();
    assertThat(report.clientErrors()).as("non-streaming requests and unstarted streams that failed").isZero();
    for (DrillReport.PhaseResult p : report.phases()) {
      assertThat(p.requests()).as("requests in phase %s", p.name()).isPositive();
    }
  }
}
