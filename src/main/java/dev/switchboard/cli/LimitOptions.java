package dev.switchboard.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** The rate-limit, budget and metadata options shared by the key and team commands, and how they print. */
final class LimitOptions {
  @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute ('none' removes the limit)")
  String rpm;

  @Option(names = "--tpm", paramLabel = "N", description = "Tokens (input + output) per minute ('none' removes it)")
  String tpm;

  @Option(names = "--concurrency", paramLabel = "N", description = "Requests in flight at once ('none' removes it)")
  String concurrency;

  @Option(names = "--budget", paramLabel = "USD/PERIOD", description = "A hard spending limit: 5/day, 100/month or "
      + "20/total; repeat for several periods ('none' removes every budget)")
  List<String> budgets;

  @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "A free-form label; repeat for several")
  Map<String, String> metadata;

  /** Adds what was given to an admin request body; what was not given stays out (and unchanged on update). */
  void into(Map<String, Object> body) {
    Map<String, Object> limits = new LinkedHashMap<>();
    limit(limits, "rpm", rpm);
    limit(limits, "tpm", tpm);
    limit(limits, "concurrency", concurrency);
    if (!limits.isEmpty()) body.put("limits", limits);
    if (budgets != null) {
      body.put("budgets", budgets.size() == 1 && budgets.getFirst().equalsIgnoreCase("none") ? List.of() : budgets);
    }
    if (metadata != null) body.put("metadata", metadata);
  }

  private static void limit(Map<String, Object> limits, String name, String value) {
    if (value == null) return;
    String v = value.trim();
    if (v.equalsIgnoreCase("none")) limits.put(name, null);
    else if (v.matches("\\d{1,10}")) limits.put(name, Long.parseLong(v));
    else limits.put(name, v); // the gateway refuses it with a message naming the field
  }

  static String limits(JsonNode l) {
    List<String> parts = new ArrayList<>();
    if (!l.path("rpm").isNull() && !l.path("rpm").isMissingNode()) parts.add(l.path("rpm").asString() + " rpm");
    if (!l.path("tpm").isNull() && !l.path("tpm").isMissingNode()) parts.add(l.path("tpm").asString() + " tpm");
    if (!l.path("concurrency").isNull() && !l.path("concurrency").isMissingNode()) {
      parts.add(l.path("concurrency").asString() + " concurrent");
    }
    return parts.isEmpty() ? "-" : String.join(", ", parts);
  }

  static String budgets(JsonNode budgets) {
    List<String> parts = new ArrayList<>();
    for (JsonNode b : budgets) parts.add("$" + b.path("usd").asString() + "/" + b.path("period").asString());
    return parts.isEmpty() ? "-" : String.join(", ", parts);
  }

  static String or(JsonNode n, String fallback) {
    return n == null || n.isNull() || n.isMissingNode() || n.asString().isEmpty() ? fallback : n.asString();
  }
}
