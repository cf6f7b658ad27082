package dev.switchboard.admin;

import dev.switchboard.access.Budget;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Limits;
import dev.switchboard.access.Team;
import dev.switchboard.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** {@code /admin/teams}: create, list, show and change teams. Blocking: runs on a worker. */
final class TeamsEndpoint {
  static final String EXAMPLE = "{\"name\": \"ml\", \"limits\": {\"rpm\": 600}, \"budgets\": [\"50/day\"]}";
  private static final Set<String> CREATE = new LinkedHashSet<>(List.of("name", "limits", "budgets", "metadata",
      "log_content"));
  private static final Set<String> UPDATE = new LinkedHashSet<>(List.of("limits", "budgets", "metadata",
      "log_content"));

  private final Keys keys;
  private final Store store;

  TeamsEndpoint(Keys keys, Store store) {
    this.keys = keys;
    this.store = store;
  }

  Reply create(JsonNode body) {
    Fields.only(body, "", CREATE, null);
    String name = Fields.name(body, "team");
    Limits limits = body.has("limits") ? Fields.limits(body.get("limits"), Limits.NONE) : null;
    List<Budget> budgets = body.has("budgets") ? Fields.budgets(body.get("budgets")) : null;
    Map<String, String> metadata = body.has("metadata") ? Fields.metadata(body.get("metadata")) : null;
    boolean logContent = Boolean.TRUE.equals(Fields.bool(body, "log_content"));
    return Reply.json(201, Views.team(keys.createTeam(name, limits, budgets, metadata, logContent)));
  }

  Reply list() {
    List<Object> data = new ArrayList<>();
    for (Team t : keys.teams()) data.add(Views.team(t));
    return Reply.json(200, Map.of("object", "list", "data", data));
  }

  Reply show(String ref) {
    Team t = keys.team(ref);
    Map<String, Object> view = Views.team(t);
    view.put("keys", keys.keys(t.id()).size());
    view.put("spend", Spend.of(store, null, t.id(), System.currentTimeMillis()));
    return Reply.json(200, view);
  }

  Reply update(String ref, JsonNode body) {
    Fields.only(body, "", UPDATE, body.has("name") ? "a team keeps its name" : null);
    Team t = keys.team(ref);
    Limits limits = body.has("limits") ? Fields.limits(body.get("limits"), t.limits()) : null;
    List<Budget> budgets = body.has("budgets") ? Fields.budgets(body.get("budgets")) : null;
    Map<String, String> metadata = body.has("metadata") ? Fields.metadata(body.get("metadata")) : null;
    Boolean logContent = body.has("log_content") ? Fields.bool(body, "log_content") : null;
    return Reply.json(200, Views.team(keys.updateTeam(t.id(), limits, budgets, metadata, logContent)));
  }
}
