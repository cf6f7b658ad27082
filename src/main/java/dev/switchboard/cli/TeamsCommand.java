package dev.switchboard.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code switchboard teams create|list|show|update}: teams share limits and budgets over all their keys. */
@Command(name = "teams", mixinStandardHelpOptions = true,
    description = "Manage teams on the running gateway: their keys share the team's limits and budgets.",
    subcommands = {TeamsCommand.Create.class, TeamsCommand.ListTeams.class, TeamsCommand.Show.class,
        TeamsCommand.Update.class})
public final class TeamsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a team.")
  static final class Create extends AdminCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Unique team name")
    String name;

    @Option(names = "--log-content", description = "Keep the prompts and answers of all the team's keys in the "
        + "request log, secrets redacted (default: off)")
    boolean logContent;

    @Mixin LimitOptions limits;

    @Override
    void run(AdminClient admin) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      if (logContent) body.put("log_content", true);
      limits.into(body);
      JsonNode team = admin.send("POST", "/admin/teams", body);
      if (json) out().println(team.toPrettyString());
      else out().print("Created team '" + team.path("name").asString() + "' (" + team.path("id").asString() + ").\n"
          + detail(team));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the teams.")
  static final class ListTeams extends AdminCommand {
    @Override
    void run(AdminClient admin) {
      JsonNode list = admin.get("/admin/teams");
      if (json) {
        out().println(list.toPrettyString());
        return;
      }
      Table t = new Table("NAME", "ID", "LIMITS", "BUDGETS", "CREATED");
      for (JsonNode team : list.path("data")) {
        t.row(team.path("name").asString(), team.path("id").asString(), LimitOptions.limits(team.path("limits")),
            LimitOptions.budgets(team.path("budgets")), team.path("created").asString());
      }
      out().print(t);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a team and what it has spent.")
  static final class Show extends AdminCommand {
    @Parameters(index = "0", paramLabel = "TEAM", description = "Team name or id")
    String ref;

    @Override
    void run(AdminClient admin) {
      JsonNode team = admin.get("/admin/teams/" + AdminClient.segment(ref));
      if (json) out().println(team.toPrettyString());
      else out().print("Team '" + team.path("name").asString() + "' (" + team.path("id").asString() + ")\n"
          + detail(team) + "  keys:     " + team.path("keys").asString() + "\n" + KeysCommand.spend(team));
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change a team's limits, budgets or metadata; what is not given stays as it is.")
  static final class Update extends AdminCommand {
    @Parameters(index = "0", paramLabel = "TEAM", description = "Team name or id")
    String ref;

    @Option(names = "--log-content", arity = "1", paramLabel = "true|false",
        description = "Keep (true) or stop keeping (false) the prompts and answers of all the team's keys")
    Boolean logContent;

    @Mixin LimitOptions limits;

    @Override
    void run(AdminClient admin) {
      Map<String, Object> body = new LinkedHashMap<>();
      if (logContent != null) body.put("log_content", logContent);
      limits.into(body);
      JsonNode team = admin.send("PATCH", "/admin/teams/" + AdminClient.segment(ref), body);
      if (json) out().println(team.toPrettyString());
      else out().print("Updated team '" + team.path("name").asString() + "'.\n" + detail(team));
    }
  }

  static String detail(JsonNode team) {
    return "  limits:   " + LimitOptions.limits(team.path("limits")) + "\n"
        + "  budgets:  " + LimitOptions.budgets(team.path("budgets")) + "\n"
        + (team.path("metadata").isEmpty() ? "" : "  metadata: " + team.path("metadata") + "\n")
        + (team.path("log_content").asBoolean(false) ? "  content:  logged for every key (secrets redacted)\n" : "");
  }
}
