package dev.switchboard.admin;

import dev.switchboard.access.Budget;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Limits;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.routing.Catalog;
import dev.switchboard.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code /admin/keys}: issue, list, show, change and revoke virtual keys. The key itself is in the creation's answer
 * only; afterwards a key is shown by its id and prefix. Blocking: runs on a worker.
 */
final class KeysEndpoint {
  static final String EXAMPLE = "{\"team\": \"ml\", \"name\": \"ci\", \"models\": [\"gpt-4o\"], "
      + "\"limits\": {\"rpm\": 60}, \"budgets\": [\"5/day\"], \"expires\": \"30d\"}";
  private static final Set<String> CREATE = new LinkedHashSet<>(List.of("team", "name", "models", "limits", "budgets",
      "expires", "metadata", "sigv4", "log_content"));
  private static final Set<String> UPDATE = new LinkedHashSet<>(List.of("models", "limits", "budgets", "expires",
      "metadata", "log_content"));

  private final Keys keys;
  private final Store store;
  private final Catalog catalog;

  KeysEndpoint(Keys keys, Store store, Catalog catalog) {
    this.keys = keys;
    this.store = store;
    this.catalog = catalog;
  }

  Reply create(JsonNode body) {
    Fields.only(body, "", CREATE, null);
    long now = System.currentTimeMillis();
    String team = Fields.string(body, "team");
    if (team != null && !team.isEmpty() && !team.equals(Keys.DEFAULT_TEAM)) {
      try {
        keys.team(team);
      } catch (Keys.NotFound e) {
        throw new Missing("team", "No team '" + team + "'. Create it first (POST /admin/teams, or 'switchboard teams "
            + "create " + team + "'), or leave 'team' out to use the default team.");
      }
    }
    String name = body.has("name") ? Fields.name(body, "key") : null;
    Set<String> models = body.has("models") ? Fields.models(body.get("models"), catalog) : null;
    Limits limits = body.has("limits") ? Fields.limits(body.get("limits"), Limits.NONE) : null;
    List<Budget> budgets = body.has("budgets") ? Fields.budgets(body.get("budgets")) : null;
    Long expires = body.has("expires") && !body.get("expires").isNull() ? Fields.expires(body.get("expires"), now)
        : null;
    Map<String, String> metadata = body.has("metadata") ? Fields.metadata(body.get("metadata")) : null;
    boolean sigv4 = Boolean.TRUE.equals(Fields.bool(body, "sigv4"));
    boolean logContent = Boolean.TRUE.equals(Fields.bool(body, "log_content"));
    Keys.Issued issued = keys.createKey(new Keys.KeySpec(team, name, models, limits, budgets, expires, metadata,
        sigv4, logContent));
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("key", issued.secret());
    if (issued.secretAccessKey() != null) view.put("secret_access_key", issued.secretAccessKey());
    view.put("warning", "This is the only time the key is shown: Switchboard keeps only its hash. Store it now.");
    view.putAll(Views.key(issued.key(), keys.ring(), now));
    return Reply.json(201, view);
  }

  Reply list(String team) {
    long now = System.currentTimeMillis();
    List<Object> data = new ArrayList<>();
    for (VirtualKey k : keys.keys(team)) data.add(Views.key(k, keys.ring(), now));
    return Reply.json(200, Map.of("object", "list", "data", data));
  }

  Reply show(String ref) {
    long now = System.currentTimeMillis();
    VirtualKey k = keys.key(ref);
    Map<String, Object> view = Views.key(k, keys.ring(), now);
    view.put("spend", Spend.of(store, k.id(), null, now));
    return Reply.json(200, view);
  }

  Reply update(String ref, JsonNode body) {
    String why = body.has("name") || body.has("team") ? "a key keeps its name and team; issue a new key instead"
        : body.has("enabled") ? "revoke a key with POST /admin/keys/{id}/revoke" : null;
    Fields.only(body, "", UPDATE, why);
    long now = System.currentTimeMillis();
    VirtualKey k = keys.key(ref);
    Set<String> models = body.has("models") ? Fields.models(body.get("models"), catalog) : null;
    Limits limits = body.has("limits") ? Fields.limits(body.get("limits"), k.limits()) : null;
    List<Budget> budgets = body.has("budgets") ? Fields.budgets(body.get("budgets")) : null;
    Long expires = body.has("expires") ? Fields.expires(body.get("expires"), now) : null;
    Map<String, String> metadata = body.has("metadata") ? Fields.metadata(body.get("metadata")) : null;
    Boolean logContent = body.has("log_content") ? Fields.bool(body, "log_content") : null;
    VirtualKey updated = keys.updateKey(k.id(), models, limits, budgets, expires, metadata, null, logContent);
    return Reply.json(200, Views.key(updated, keys.ring(), now));
  }

  Reply revoke(String ref) {
    VirtualKey k = keys.key(ref);
    return Reply.json(200, Views.key(keys.revoke(k.id()), keys.ring(), System.currentTimeMillis()));
  }

  /** A reference in the body to something that does not exist: a 404 that names the field. */
  static final class Missing extends RuntimeException {
    final String field;

    Missing(String field, String message) {
      super(message);
      this.field = field;
    }
  }
}
