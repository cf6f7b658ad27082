package dev.switchboard.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code switchboard usage}: requests, tokens and spend from the running gateway's usage ledger. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = "Show requests, tokens and exact spend, summed by key, team, model, deployment or day.")
public final class UsageCommand extends AdminCommand {
  @Option(names = "--by", split = ",", paramLabel = "DIMENSION", description = "Sum by key, team, model, deployment, "
      + "provider, region, front_door, day or hour (UTC); comma-separated for several (default: day)")
  List<String> by;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First UTC day included")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last UTC day included")
  String to;

  @Option(names = "--key", description = "Only this key (id or prefix)")
  String key;

  @Option(names = "--team", description = "Only this team (name or id)")
  String team;

  @Option(names = "--model", description = "Only this model")
  String model;

  @Option(names = "--csv", description = "Print CSV with a header row, for spreadsheets")
  boolean csv;

  private static final String[] METRICS = {"requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens",
      "cache_write_tokens", "reasoning_tokens", "cost_usd"};

  @Override
  void run(AdminClient admin) {
    String path = "/admin/usage" + AdminClient.query("group_by", by == null ? null : String.join(",", by),
        "from", from, "to", to, "key", key, "team", team, "model", model, "format", csv ? "csv" : null);
    if (csv) {
      out().print(admin.text("GET", path, null, "text/csv"));
      return;
    }
    JsonNode usage = admin.get(path);
    if (json) {
      out().println(usage.toPrettyString());
      return;
    }
    List<String> dims = new ArrayList<>();
    for (JsonNode g : usage.path("group_by")) dims.add(g.asString());
    List<String> header = new ArrayList<>();
    for (String d : dims) header.add(d.toUpperCase(java.util.Locale.ROOT));
    header.addAll(List.of("REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "REASONING",
        "COST USD"));
    Table t = new Table(header.toArray(String[]::new));
    for (JsonNode r : usage.path("rows")) t.row(cells(dims, r, false));
    t.row(cells(dims, usage.path("total"), true));
    out().print(t);
    long estimated = usage.path("total").path("estimated").asLong();
    if (estimated > 0) {
      out().println(estimated + " request(s) have estimated tokens (a stream cut before the upstream sent its usage).");
    }
  }

  private static String[] cells(List<String> dims, JsonNode r, boolean total) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) {
      if (total) {
        out.add(i == 0 ? "TOTAL" : "");
        continue;
      }
      String d = dims.get(i);
      String v = LimitOptions.or(r.path(d), "-");
      if (d.equals("key")) v = LimitOptions.or(r.path("key_name"), "?") + " (" + v + ")";
      if (d.equals("team")) v = LimitOptions.or(r.path("team_name"), "?") + (r.path(d).isNull() ? "" : " (" + v + ")");
      if (d.equals("key") && r.path(d).isNull()) v = "(master key)";
      out.add(v);
    }
    for (String m : METRICS) out.add(r.path(m).asString());
    return out.toArray(String[]::new);
  }
}
