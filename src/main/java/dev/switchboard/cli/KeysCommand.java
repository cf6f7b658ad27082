package dev.switchboard.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code switchboard keys create|list|show|update|revoke}: virtual keys for clients, on the running gateway. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Manage virtual keys on the running gateway: each has a team, allowed models, limits, budgets "
        + "and an expiry.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Show.class,
        KeysCommand.Update.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Issue a key. It is printed once: Switchboard keeps only its hash.")
  static final class Create extends AdminCommand {
    @Option(names = "--team", description = "Team name or id (default: the team 'default')")
    String team;

    @Option(names = "--name", description = "A name to recognise the key by")
    String name;

    @Option(names = "--models", split = ",", paramLabel = "MODEL", description = "Models it may use, comma-separated "
        + "(default: all)")
    List<String> models;

    @Option(names = "--expires", paramLabel = "WHEN", description = "When it stops working: 90m, 12h, 30d, 2w, an "
        + "ISO-8601 instant or a date (default: never)")
    String expires;

    @Option(names = "--sigv4", description = "Also issue an access key id and secret for AWS SDKs (Bedrock front door)")
    boolean sigv4;

    @Option(names = "--log-content", description = "Keep this key's prompts and answers in the request log, secrets "
        + "redacted (default: off; docs/operations.md, Request log and content logging)")
    boolean logContent;

    @Mixin LimitOptions limits;

    @Override
    void run(AdminClient admin) {
      Map<String, Object> body = new LinkedHashMap<>();
      if (team != null) body.put("team", team);
      if (name != null) body.put("name", name);
      if (models != null) body.put("models", models);
      limits.into(body);
      if (expires != null) body.put("expires", expires);
      if (sigv4) body.put("sigv4", true);
      if (logContent) body.put("log_content", true);
      JsonNode key = admin.send("POST", "/admin/keys", body);
      if (json) {
        out().println(key.toPrettyString());
        return;
      }
      StringBuilder s = new StringBuilder("Created key '").append(key.path("name").asString()).append("' (")
          .append(key.path("id").asString()).append(") in team '").append(key.path("team_name").asString())
          .append("'.\n\n    ").append(key.path("key").asString()).append("\n\n");
      if (key.hasNonNull("access_key_id")) {
        s.append("  AWS access key id:     ").append(key.path("access_key_id").asString()).append('\n')
            .append("  AWS secret access key: ").append(key.path("secret_access_key").asString()).append("\n\n");
      }
      s.append("This is the only time the key is shown: Switchboard keeps only its hash. Store it now.\n\n")
          .append(detail(key));
      out().print(s);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys, revoked ones included.")
  static final class ListKeys extends AdminCommand {
    @Option(names = "--team", description = "Only this team's keys")
    String team;

    @Override
    void run(AdminClient admin) {
      JsonNode list = admin.get("/admin/keys" + AdminClient.query("team", team));
      if (json) {
        out().println(list.toPrettyString());
        return;
      }
      Table t = new Table("PREFIX", "NAME", "TEAM", "MODELS", "LIMITS", "BUDGETS", "EXPIRES", "STATUS");
      for (JsonNode k : list.path("data")) {
        t.row(k.path("prefix").asString(), k.path("name").asString(), k.path("team_name").asString(),
            models(k), LimitOptions.limits(k.path("limits")), LimitOptions.budgets(k.path("budgets")),
            LimitOptions.or(k.path("expires"), "never"), k.path("status").asString());
      }
      out().print(t);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a key and what it has spent.")
  static final class Show extends AdminCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "Key id or prefix (sk-sbv-…), or SigV4 access key id")
    String ref;

    @Override
    void run(AdminClient admin) {
      JsonNode key = admin.get("/admin/keys/" + AdminClient.segment(ref));
      if (json) out().println(key.toPrettyString());
      else out().print("Key '" + key.path("name").asString() + "' (" + key.path("prefix").asString() + "…)\n"
          + detail(key) + spend(key));
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change a key's models, limits, budgets, expiry or metadata; what is not given stays as it is.")
  static final class Update extends AdminCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "Key id or prefix")
    String ref;

    @Option(names = "--models", split = ",", paramLabel = "MODEL", description = "Models it may use ('all' for all)")
    List<String> models;

    @Option(names = "--expires", paramLabel = "WHEN", description = "New expiry: 90m, 12h, 30d, 2w, an instant or date")
    String expires;

    @Option(names = "--log-content", arity = "1", paramLabel = "true|false",
        description = "Keep (true) or stop keeping (false) this key's prompts and answers in the request log")
    Boolean logContent;

    @Mixin LimitOptions limits;

    @Override
    void run(AdminClient admin) {
      Map<String, Object> body = new LinkedHashMap<>();
      if (models != null) body.put("models", models.equals(List.of("all")) ? List.of() : models);
      if (logContent != null) body.put("log_content", logContent);
      if (expires != null) body.put("expires", expires);
      limits.into(body);
      JsonNode key = admin.send("PATCH", "/admin/keys/" + AdminClient.segment(ref), body);
      if (json) out().println(key.toPrettyString());
      else out().print("Updated key '" + key.path("name").asString() + "' (" + key.path("prefix").asString() + "…).\n"
          + detail(key));
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a key for good: requests with it are refused from now on.")
  static final class Revoke extends AdminCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "Key id or prefix")
    String ref;

    @Override
    void run(AdminClient admin) {
      JsonNode key = admin.send("POST", "/admin/keys/" + AdminClient.segment(ref) + "/revoke", null);
      if (json) out().println(key.toPrettyString());
      else out().println("Revoked key '" + key.path("name").asString() + "' (" + key.path("prefix").asString()
          + "…): requests with it now get 401.");
    }
  }

  static String detail(JsonNode key) {
    return "  team:     " + key.path("team_name").asString() + " (" + key.path("team").asString() + ")\n"
        + "  models:   " + models(key) + "\n"
        + "  limits:   " + LimitOptions.limits(key.path("limits")) + "\n"
        + "  budgets:  " + LimitOptions.budgets(key.path("budgets")) + "\n"
        + "  expires:  " + LimitOptions.or(key.path("expires"), "never") + "\n"
        + "  status:   " + key.path("status").asString() + "\n"
        + (key.hasNonNull("access_key_id") ? "  sigv4:    " + key.path("access_key_id").asString() + "\n" : "")
        + (key.path("metadata").isEmpty() ? "" : "  metadata: " + key.path("metadata") + "\n")
        + (key.path("log_content").asBoolean(false) ? "  content:  logged (secrets redacted)\n" : "");
  }

  static String spend(JsonNode entity) {
    JsonNode s = entity.path("spend");
    if (s.isMissingNode()) return "";
    return "  spent:    $" + s.path("day").asString() + " today, $" + s.path("month").asString() + " this month, $"
        + s.path("total").asString() + " in total (UTC; metered requests)\n";
  }

  private static String models(JsonNode key) {
    List<String> names = new ArrayList<>();
    for (JsonNode m : key.path("models")) names.add(m.asString());
    return names.isEmpty() ? "all" : String.join(",", names);
  }
}
