package dev.switchboard.drill;

import java.time.Duration;
import java.util.List;

/**
 * What the outage drill does: how many clients, what share of their requests stream, and the phases it runs
 * through, each with the fault it puts on the primary region (or none).
 */
public record DrillPlan(int clients, double streamShare, List<Phase> phases) {
  /** What a phase does to the primary region's deployments. */
  public enum Outage { NONE, HARD, SOFT, SLOW }

  public record Phase(String name, Outage outage, Duration length) {}

  public DrillPlan {
    phases = List.copyOf(phases);
  }

  /** The documented drill: steady load, then each kind of region outage for {@code outage}, with recovery between. */
  public static DrillPlan standard(int clients, Duration steady, Duration outage) {
    return new DrillPlan(clients, 0.25, List.of(
        new Phase("baseline", Outage.NONE, steady),
        new Phase("region down hard (connections refused)", Outage.HARD, outage),
        new Phase("recovered", Outage.NONE, steady),
        new Phase("region down soft (every request 503)", Outage.SOFT, outage),
        new Phase("recovered", Outage.NONE, steady),
        new Phase("region down slow (requests hang)", Outage.SLOW, outage),
        new Phase("recovered", Outage.NONE, steady)));
  }

  public Duration total() {
    Duration d = Duration.ZERO;
    for (Phase p : phases) d = d.plus(p.length());
    return d;
  }
}
