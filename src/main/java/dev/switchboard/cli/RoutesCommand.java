package dev.switchboard.cli;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(names = "--url", description = "The gateway (default: from the config's host and port, else "
      + "http://127.0.0.1:8040)")
  URI url;

  @Option(names = "--config", description = "YAML config file (default: $SWITCHBOARD_CONFIG, else none)")
  Path config;

  @Option(names = "--home", description = "State directory holding master.key (default: $SWITCHBOARD_HOME, else "
      + "~/.switchboard)")
  Path home;

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
  public Integer call() throws IOException, InterruptedException {
    SwitchboardConfig cfg;
    try {
      cfg = new ConfigLoader(System::getenv).load(new ConfigLoader.Flags(config, null, null, home));
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      return 2;
    }
    URI base = url != null ? url : URI.create("http://" + cfg.server().host() + ":" + cfg.server().port());
    String key = System.getenv("SWITCHBOARD_MASTER_KEY");
    Path keyFile = cfg.home().resolve("master.key");
    if ((key == null || key.isBlank()) && Files.isReadable(keyFile)) key = Files.readString(keyFile).trim();
    if (key == null || key.isBlank()) {
      System.err.println("switchboard: no master key: set SWITCHBOARD_MASTER_KEY, or pass --home with the gateway's "
          + "state directory (it holds master.key)");
      return 2;
    }
    HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve("/admin/routes/"
        + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20")))
        .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + key);
    if (strategy != null) req.header("x-switchboard-strategy", strategy);
    if (region != null) req.header("x-switchboard-region", region);
    if (residency != null) req.header("x-switchboard-residency", residency);
    if (maxPrice != null) req.header("x-switchboard-max-price", maxPrice);
    HttpResponse<String> resp;
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      System.err.println("switchboard: cannot reach the gateway at " + base + " (" + e.getMessage() + "); is it "
          + "running? Pass --url if it listens elsewhere.");
      return 1;
    }
    if (resp.statusCode() != 200) {
      JsonNode err = Json.MAPPER.readTree(resp.body()).path("error");
      System.err.println("switchboard: " + err.path("message").asString(resp.body()));
      return 1;
    }
    System.out.print(json ? resp.body() + "\n" : table(Json.MAPPER.readTree(resp.body())));
    return 0;
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
