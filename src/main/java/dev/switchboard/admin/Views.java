package dev.switchboard.admin;

import dev.switchboard.access.Budget;
import dev.switchboard.access.KeyRing;
import dev.switchboard.access.Limits;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public JSON shape of teams and keys. A key's view never holds its hash or its sealed SigV4 secret: they are
 * not in the allow-list of fields written here. Money is written as exact decimal strings. Stateless.
 */
final class Views {
  private Views() {}

  static Map<String, Object> team(Team t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "team");
    m.put("id", t.id());
    m.put("name", t.name());
    m.put("limits", limits(t.limits()));
    m.put("budgets", budgets(t.budgets()));
    m.put("metadata", t.metadata());
    m.put("log_content", t.logContent());
    m.put("created", instant(t.createdMillis()));
    return m;
  }

  static Map<String, Object> key(VirtualKey k, Team team, long nowMillis) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "key");
    m.put("id", k.id());
    m.put("prefix", k.prefix());
    m.put("name", k.name());
    m.put("team", k.teamId());
    m.put("team_name", team == null ? null : team.name());
    m.put("models", k.models().stream().sorted().toList());
    m.put("limits", limits(k.limits()));
    m.put("budgets", budgets(k.budgets()));
    m.put("expires", k.expiresMillis() == null ? null : instant(k.expiresMillis()));
    m.put("enabled", k.enabled());
    m.put("status", !k.enabled() ? "revoked" : k.expired(nowMillis) ? "expired" : "active");
    m.put("created", instant(k.createdMillis()));
    m.put("access_key_id", k.accessKeyId());
    m.put("metadata", k.metadata());
    m.put("log_content", k.logContent());
    return m;
  }

  static Map<String, Object> key(VirtualKey k, KeyRing ring, long nowMillis) {
    return key(k, ring.team(k.teamId()), nowMillis);
  }

  static Map<String, Object> limits(Limits l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rpm", l.rpm());
    m.put("tpm", l.tpm());
    m.put("concurrency", l.concurrency());
    return m;
  }

  static List<Map<String, Object>> budgets(List<Budget> budgets) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Budget b : budgets) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("usd", b.usd().toPlainString());
      m.put("period", b.period().label());
      out.add(m);
    }
    return out;
  }

  static String instant(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
