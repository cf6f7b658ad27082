package dev.switchboard.drill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What the drill measured, per phase and over the run: client-visible errors, upstream attempts per request,
 * latency, and for each outage how long until at least 99 % of requests went straight to the other region.
 */
public record DrillReport(List<PhaseResult> phases, int requests, int clientErrors, int brokenStreams,
    double attemptsPerRequest) {

  /**
   * @param target the region traffic should settle on in this phase: the secondary during an outage, else the
   *     primary
   * @param settledWithinMillis from the phase's start until the point after which at least 99 % of requests were
   *     served by {@code target} on their first attempt; -1 when never
   */
  public record PhaseResult(String name, DrillPlan.Outage outage, int requests, int clientErrors,
      double attemptsPerRequest, double p50Millis, double p99Millis, String target, long settledWithinMillis) {}

  static DrillReport of(DrillPlan plan, List<Long> phaseStarts, List<Outcome> outcomes) {
    outcomes.sort(Comparator.comparingLong(Outcome::startNanos));
    List<PhaseResult> results = new ArrayList<>();
    for (int i = 0; i < plan.phases().size(); i++) {
      DrillPlan.Phase phase = plan.phases().get(i);
      long from = phaseStarts.get(i);
      long to = from + phase.length().toNanos();
      List<Outcome> in = outcomes.stream().filter(o -> o.startNanos() >= from && o.startNanos() < to).toList();
      results.add(phase(phase, from, in));
    }
    int errors = 0;
    int broken = 0;
    long attempts = 0;
    for (Outcome o : outcomes) {
      if (o.brokenAfterStart()) broken++;
      else if (!o.ok()) errors++;
      attempts += o.attempts();
    }
    return new DrillReport(results, outcomes.size(), errors, broken,
        outcomes.isEmpty() ? 0 : attempts / (double) outcomes.size());
  }

  private static PhaseResult phase(DrillPlan.Phase phase, long from, List<Outcome> in) {
    int errors = 0;
    long attempts = 0;
    double[] latencies = new double[in.size()];
    for (int i = 0; i < in.size(); i++) {
      Outcome o = in.get(i);
      if (!o.ok() && !o.brokenAfterStart()) errors++;
      attempts += o.attempts();
      latencies[i] = o.latencyNanos() / 1e6;
    }
    java.util.Arrays.sort(latencies);
    String target = phase.outage() == DrillPlan.Outage.NONE ? Drill.PRIMARY : Drill.SECONDARY;
    long settled = -1;
    // Requests still running when the next phase began met its conditions too: they do not show where this
    // phase's traffic settled.
    long to = from + phase.length().toNanos();
    List<Outcome> within = in.stream().filter(o -> o.startNanos() + o.latencyNanos() < to).toList();
    // Scan from the end: the earliest start after which >= 99 % went straight to the target region.
    int straight = 0;
    for (int i = within.size() - 1; i >= 0; i--) {
      Outcome o = within.get(i);
      if (o.ok() && o.attempts() == 1 && target.equals(o.region())) straight++;
      if (straight >= 0.99 * (within.size() - i)) settled = Math.max(0, (o.startNanos() - from) / 1_000_000);
    }
    return new PhaseResult(phase.name(), phase.outage(), in.size(), errors,
        in.isEmpty() ? 0 : attempts / (double) in.size(), percentile(latencies, 0.5), percentile(latencies, 0.99),
        target, settled);
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** The report as the markdown table docs/benchmarks.md keeps. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| phase | requests | client errors | upstream attempts / request | p50 ms | p99 ms "
        + "| p99 added vs baseline | ≥ 99 % of traffic on |\n|---|---|---|---|---|---|---|---|\n");
    double baseline = phases.isEmpty() ? Double.NaN : phases.getFirst().p99Millis();
    for (PhaseResult p : phases) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.1f | %.1f | %+.1f ms | %s %s |%n", p.name(),
          p.requests(), p.clientErrors(), p.attemptsPerRequest(), p.p50Millis(), p.p99Millis(),
          p.p99Millis() - baseline, p.target(),
          p.settledWithinMillis() < 0 ? "never in this phase" : "after " + p.settledWithinMillis() + " ms"));
    }
    out.append(String.format(Locale.ROOT, "%nOver the run: %d requests; %d client-visible errors (non-streaming "
        + "requests and streams that had not started); %d streams broken after they had started (they end with an "
        + "in-stream error); %.3f upstream attempts per request.%n", requests, clientErrors, brokenStreams,
        attemptsPerRequest));
    return out.toString();
  }
}
