package dev.switchboard.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Orders a model's deployments for one request: those that cannot serve it are left out (with the reason, if
 * none can), healthy ones come first in the strategy's order, then the healthy ones of regions that are mostly
 * down, then the ejected ones as a last resort (better one more try than a certain failure). Stateless.
 */
final class Selection {
  /**
   * The order to try deployments in, or why none may serve the request.
   *
   * @param tooLarge whether the request was refused because it exceeds every eligible context window
   */
  record Plan(List<Deployment> order, String refusal, boolean tooLarge) {
    Plan(List<Deployment> order, String refusal) {
      this(order, refusal, false);
    }
  }

  private Selection() {}

  static Plan plan(Catalog.Route route, Demand demand, Regions regions, RandomGenerator random) {
    if (route.deployments().size() == 1 && demand == Demand.NONE) return new Plan(route.deployments(), null);
    List<Deployment> eligible = new ArrayList<>();
    String refusal = null;
    boolean tooLarge = true;
    for (Deployment d : route.deployments()) {
      String why = unfit(d, demand);
      if (why == null) eligible.add(d);
      else if (refusal == null) refusal = why;
      if (why == null || !why.contains("context window")) tooLarge = false;
    }
    if (eligible.isEmpty()) {
      return new Plan(List.of(), "No deployment of model '" + route.model() + "' can serve this request: " + refusal,
          tooLarge);
    }
    List<Deployment> up = new ArrayList<>();
    List<Deployment> regionDown = new ArrayList<>();
    List<Deployment> ejected = new ArrayList<>();
    for (Deployment d : eligible) {
      if (d.health.breaker.isOpen()) ejected.add(d);
      else if (regions.isDown(d.region())) regionDown.add(d);
      else up.add(d);
    }
    String strategy = demand.strategy() != null ? demand.strategy() : route.policy().strategy();
    List<Deployment> order = new ArrayList<>(eligible.size());
    order.addAll(ordered(up, strategy, demand, random));
    order.addAll(ordered(regionDown, strategy, demand, random));
    order.addAll(ordered(ejected, "priority", demand, random));
    return new Plan(order, null);
  }

  /** Why {@code d} cannot serve the request, or null if it can. */
  private static String unfit(Deployment d, Demand demand) {
    if (!d.has(demand.capabilities())) {
      return "the request needs " + String.join(", ", demand.capabilities()) + ", which deployment " + d.id()
          + " does not declare";
    }
    Integer window = d.settings().contextWindow();
    if (window != null && demand.estimatedTokens() > window) {
      return "the request needs about " + demand.estimatedTokens() + " tokens, more than the context window ("
          + window + ") of " + d.id();
    }
    if (!demand.residency().isEmpty()
        && d.settings().residency().stream().noneMatch(demand.residency()::contains)) {
      return "data residency must be one of " + String.join(", ", demand.residency()) + ", and " + d.id()
          + " is tagged " + (d.settings().residency().isEmpty() ? "with none" : String.join(", ",
          d.settings().residency()));
    }
    if (demand.maxPrice() != null) {
      BigDecimal price = d.blendedPrice();
      if (price == null) return "a maximum price was set, and the price of " + d.id() + " is unknown";
      if (price.compareTo(demand.maxPrice()) > 0) {
        return "the maximum price is " + demand.maxPrice().toPlainString() + " USD per million tokens, and " + d.id()
            + " costs " + price.stripTrailingZeros().toPlainString();
      }
    }
    return null;
  }

  private static List<Deployment> ordered(List<Deployment> ds, String strategy, Demand demand,
      RandomGenerator random) {
    if (ds.size() <= 1) return ds;
    List<Deployment> out = switch (strategy) {
      case "cheapest" -> sorted(ds, Comparator.comparing(Deployment::blendedPrice,
          Comparator.nullsLast(Comparator.naturalOrder())));
      case "latency" -> powerOfTwo(ds, random);
      case "weighted" -> weighted(ds, random);
      default -> sorted(ds, Comparator.comparingInt(d -> d.settings().priority()));
    };
    if (demand.region() == null) return out;
    // A preferred region wins over the strategy's order, which still orders within each side.
    List<Deployment> preferred = new ArrayList<>(out.size());
    for (Deployment d : out) if (demand.region().equals(d.region())) preferred.add(d);
    for (Deployment d : out) if (!demand.region().equals(d.region())) preferred.add(d);
    return preferred;
  }

  private static List<Deployment> sorted(List<Deployment> ds, Comparator<Deployment> by) {
    List<Deployment> out = new ArrayList<>(ds);
    out.sort(by.thenComparingInt(Deployment::index));
    return out;
  }

  /**
   * Power of two choices on the expected wait: two deployments drawn at random, the one with the lower score
   * first, then the rest by score. Unmeasured deployments score 0, so they get traffic and so a measurement.
   */
  private static List<Deployment> powerOfTwo(List<Deployment> ds, RandomGenerator random) {
    Map<Deployment, Double> score = new java.util.HashMap<>();
    for (Deployment d : ds) {
      double ttft = d.health.timeToFirstByte.value();
      score.put(d, (Double.isNaN(ttft) ? 0 : ttft) * (1 + d.health.limit.inFlight()));
    }
    List<Deployment> rest = sorted(ds, Comparator.comparingDouble(score::get));
    int a = random.nextInt(ds.size());
    int b = random.nextInt(ds.size() - 1);
    if (b >= a) b++;
    Deployment first = score.get(ds.get(a)) <= score.get(ds.get(b)) ? ds.get(a) : ds.get(b);
    rest.remove(first);
    rest.addFirst(first);
    return rest;
  }

  /** Weighted random order without replacement; weight 0 comes last, in config order. */
  private static List<Deployment> weighted(List<Deployment> ds, RandomGenerator random) {
    List<Deployment> pool = new ArrayList<>(ds);
    List<Deployment> out = new ArrayList<>(ds.size());
    while (!pool.isEmpty()) {
      long total = 0;
      for (Deployment d : pool) total += d.settings().weight();
      if (total == 0) {
        out.addAll(pool);
        break;
      }
      long pick = random.nextLong(total);
      for (int i = 0; i < pool.size(); i++) {
        pick -= pool.get(i).settings().weight();
        if (pick < 0) {
          out.add(pool.remove(i));
          break;
        }
      }
    }
    return out;
  }
}
