package dev.switchboard.routing;

import dev.switchboard.config.SwitchboardConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Explains, for {@code switchboard routes} and {@code GET /admin/routes/{model}}, where a request for a model would
 * go now and why: every deployment in the order it would be tried, with its price, health and latency, and those
 * the request's constraints leave out. A JSON-ready tree of maps and lists.
 */
final class RouteReport {
  private RouteReport() {}

  static Map<String, Object> of(Catalog.Route route, Demand demand, Regions regions, RandomGenerator random) {
    Selection.Plan plan = Selection.plan(route, demand, regions, random);
    String strategy = demand.strategy() != null ? demand.strategy() : route.policy().strategy();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", route.model());
    out.put("strategy", strategy);
    List<Map<String, Object>> order = new ArrayList<>();
    for (Deployment d : plan.order()) order.add(deployment(d, regions));
    out.put("order", order);
    List<Map<String, Object>> excluded = new ArrayList<>();
    for (Deployment d : route.deployments()) {
      if (plan.order().contains(d)) continue;
      Map<String, Object> e = deployment(d, regions);
      e.put("excluded", "does not meet the request's constraints");
      excluded.add(e);
    }
    if (!excluded.isEmpty()) out.put("excluded", excluded);
    if (plan.order().isEmpty()) {
      out.put("why", plan.refusal());
    } else {
      Deployment first = plan.order().getFirst();
      out.put("chosen", first.id());
      out.put("why", why(first, strategy, route, demand, regions));
    }
    return out;
  }

  private static String why(Deployment d, String strategy, Catalog.Route route, Demand demand, Regions regions) {
    if (d.health.breaker.isOpen()) return "every deployment is ejected; " + d.id() + " is tried as a last resort";
    if (regions.isDown(d.region())) {
      return "every healthy region is unavailable; " + d.id() + " is in region " + d.region() + ", which is mostly down";
    }
    if (route.deployments().size() == 1) return "it is the model's only deployment";
    String region = demand.region() != null && demand.region().equals(d.region())
        ? " in the preferred region " + d.region() : "";
    return switch (strategy) {
      case "cheapest" -> d.blendedPrice() == null ? "no healthy deployment has a known price; first in config order"
          : "cheapest healthy deployment" + region + " at " + d.blendedPrice().stripTrailingZeros().toPlainString()
              + " USD per million tokens (3:1 input:output)";
      case "latency" -> "lowest expected time to first byte of two drawn at random" + region
          + " (power of two choices; the order changes from request to request)";
      case "weighted" -> "drawn by weight (" + d.settings().weight() + ")" + region
          + "; the order changes from request to request";
      default -> "highest priority healthy deployment" + region + " (priority " + d.settings().priority() + ")";
    };
  }

  private static Map<String, Object> deployment(Deployment d, Regions regions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("deployment", d.id());
    m.put("provider", d.provider().name());
    m.put("upstream_model", d.upstreamModel());
    m.put("region", d.region());
    SwitchboardConfig.Price p = d.price();
    if (p == null && d.settings().costPerHour() != null) {
      m.put("cost_per_hour", d.settings().costPerHour());
    }
    if (p != null) {
      Map<String, Object> price = new LinkedHashMap<>();
      price.put("input", p.input());
      price.put("output", p.output());
      if (p.cacheRead() != null) price.put("cache_read", p.cacheRead());
      if (p.cacheWrite() != null) price.put("cache_write", p.cacheWrite());
      BigDecimal blended = d.blendedPrice();
      price.put("blended", blended.stripTrailingZeros());
      price.put("source", d.priceSource());
      m.put("price_per_million_tokens", price);
    }
    m.put("state", state(d, regions));
    m.put("in_flight", d.health.limit.inFlight());
    m.put("concurrency_limit", d.health.limit.limit());
    double ttft = d.health.timeToFirstByte.value();
    if (!Double.isNaN(ttft)) m.put("time_to_first_byte_ms", Math.round(ttft));
    double tps = d.health.tokensPerSecond.value();
    if (!Double.isNaN(tps)) m.put("tokens_per_second", Math.round(tps));
    return m;
  }

  private static String state(Deployment d, Regions regions) {
    return switch (d.health.breaker.state()) {
      case OPEN -> d.health.breaker.isOpen() ? "ejected" : "probing next";
      case HALF_OPEN -> "probing";
      case CLOSED -> regions.isDown(d.region()) ? "healthy, region mostly down" : "healthy";
    };
  }
}
