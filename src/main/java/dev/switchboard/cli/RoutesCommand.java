package dev.switchboard.cli;

import dev.switchboard.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code switchboard routes MODEL}: asks the running gateway where a request for MODEL would go now and why
 * ({@code GET /admin/routes/{model}}), and prints the answer as a table, or as JSON with {@code --json}.
 */
@Command(name = "routes", mixinStandardHelpOptions = true,
    description = "Explain where the running gateway would send a request for MODEL now, and why.")
public final class RoutesCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model name clients send")
  String model;

  @Mixin GatewayOptions gateway;

  @Option(names = "--strategy", description = "Narrow as a request would: cheapest, latency, weighted or priority")
  String strategy;

  @Option(names = "--region", description = "Preferred region, as a request's x-switchboard-region")
  String region;

  @Option(names = "--residency", description = "Allowed residency tags, comma-separated")
  String residency;

  @Option(names = "--max-price", description = "Highest blended price, USD per million tokens")
  String maxPrice;

  @Option(names = "--json", description = "Print the gateway's JSON answer as it is")
  boolean json;

  @Override
  public Integer call() {
    Map<String, String> narrowing = new LinkedHashMap<>();
    if (strategy != null) narrowing.put("x-switchboard-strategy", strategy);
    if (region != null) narrowing.put("x-switchboard-region", region);
    if (residency != null) narrowing.put("x-switchboard-residency", residency);
    if (maxPrice != null) narrowing.put("x-switchboard-max-price", maxPrice);
    try (AdminClient client = gateway.client()) {
      String body = client.text("GET", "/admin/routes/" + AdminClient.segment(model), null, "application/json",
          narrowing);
      System.out.print(json ? body + "\n" : table(Json.MAPPER.readTree(body)));
      return 0;
    } catch (AdminClient.Failure e) {
      System.err.println("switchboard: " + e.getMessage());
      return 1;
    }
  }

  public static String table(JsonNode r) {
    StringBuilder out = new StringBuilder();
    out.append("Model ").append(r.path("model").asString()).append(", strategy ")
        .append(r.path("strategy").asString()).append('\n');
    if (r.has("chosen")) out.append("Next request goes to ").append(r.path("chosen").asString()).append(": ");
    out.append(r.path("why").asString()).append("\n\n");
    String format = "%-3s %-40s %-14s %-28s %-22s %-10s %s%n";
    out.append(String.format(format, "#", "deployment", "region", "state", "USD/M tokens in/out", "ttft",
        "in flight/limit"));
    int rank = 1;
    for (JsonNode d : r.path("order")) out.append(row(format, Integer.toString(rank++), d));
    for (JsonNode d : r.path("excluded")) out.append(row(format, "-", d));
    return out.toString();
  }

  private static String row(String format, String rank, JsonNode d) {
    JsonNode p = d.path("price_per_million_tokens");
    String price = p.isMissingNode() ? "unknown"
        : p.path("input").asString() + " / " + p.path("output").asString();
    String ttft = d.has("time_to_first_byte_ms") ? d.path("time_to_first_byte_ms").asString() + " ms" : "-";
    String state = d.has("excluded") ? "excluded: constraints" : d.path("state").asString();
    return String.format(format, rank, d.path("deployment").asString(), d.path("region").asString(), state, price,
        ttft, d.path("in_flight").asString() + "/" + d.path("concurrency_limit").asString());
  }
}
