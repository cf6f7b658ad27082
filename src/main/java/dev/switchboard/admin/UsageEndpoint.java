package dev.switchboard.admin;

import dev.switchboard.access.KeyRing;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.store.Store;
import dev.switchboard.store.Store.UsageGroup;
import dev.switchboard.store.Store.UsageRow;
import io.vertx.core.MultiMap;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /admin/usage}: requests, tokens and exact spend from the usage ledger, summed by key, team, model,
 * deployment, provider, region, front door and/or UTC day, over a range of days, as JSON or CSV. Groups of keys
 * and teams carry their names too. Blocking: runs on a worker.
 */
final class UsageEndpoint {
  private static final Set<String> PARAMS = new LinkedHashSet<>(List.of("group_by", "from", "to", "key", "team",
      "model", "format"));
  private static final List<String> METRICS = List.of("requests", "errors", "input_tokens", "output_tokens",
      "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "estimated");

  private final Keys keys;
  private final Store store;

  UsageEndpoint(Keys keys, Store store) {
    this.keys = keys;
    this.store = store;
  }

  Reply usage(MultiMap params, boolean csvWanted) {
    for (String name : params.names()) {
      if (!PARAMS.contains(name)) {
        throw new BadInput(name, "Unknown parameter '" + name + "'; the parameters are " + String.join(", ", PARAMS)
            + ".");
      }
    }
    List<UsageGroup> groups = groups(params.get("group_by"));
    LocalDate from = date(params, "from");
    LocalDate to = date(params, "to");
    if (from != null && to != null && to.isBefore(from)) {
      throw new BadInput("to", "'to' (" + to + ") is before 'from' (" + from + ").");
    }
    String format = params.get("format");
    boolean csv = format == null ? csvWanted : switch (format.toLowerCase(Locale.ROOT)) {
      case "csv" -> true;
      case "json" -> false;
      default -> throw new BadInput("format", "'format' is '" + format + "', not json or csv.");
    };
    String keyId = blank(params.get("key")) ? null : keys.key(params.get("key")).id();
    String teamId = blank(params.get("team")) ? null : keys.team(params.get("team")).id();
    String model = blank(params.get("model")) ? null : params.get("model").trim();
    long fromMillis = from == null ? 0 : from.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long toMillis = to == null ? Long.MAX_VALUE
        : to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    List<UsageRow> rows = store.usage(new Store.UsageQuery(groups, fromMillis, toMillis, keyId, teamId, model));
    List<Map<String, Object>> out = new ArrayList<>();
    for (UsageRow r : rows) out.add(row(groups, r));
    if (csv) return Reply.csv(csv(groups, out), "switchboard-usage.csv");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("object", "usage");
    body.put("group_by", groups.stream().map(g -> g.name().toLowerCase(Locale.ROOT)).toList());
    body.put("from", from == null ? null : from.toString());
    body.put("to", to == null ? null : to.toString());
    body.put("rows", out);
    body.put("total", metrics(total(rows)));
    return Reply.json(200, body);
  }

  private static List<UsageGroup> groups(String spec) {
    if (spec == null || spec.isBlank()) return List.of(UsageGroup.DAY);
    List<UsageGroup> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      if (name.isEmpty() || name.equals("NONE") || name.equals("TOTAL")) continue;
      try {
        UsageGroup g = UsageGroup.valueOf(name);
        if (!out.contains(g)) out.add(g);
      } catch (IllegalArgumentException e) {
        throw new BadInput("group_by", "'group_by' has '" + part.trim() + "', which is not one of "
            + String.join(", ", Arrays.stream(UsageGroup.values()).map(g -> g.name().toLowerCase(Locale.ROOT))
                .toList()) + " (comma-separated for several, none for one total).");
      }
    }
    return out;
  }

  private static LocalDate date(MultiMap params, String name) {
    String v = params.get(name);
    if (blank(v)) return null;
    try {
      return LocalDate.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw new BadInput(name, "'" + name + "' is '" + v + "', not a date like 2026-11-01 (UTC days, both ends "
          + "included).");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private Map<String, Object> row(List<UsageGroup> groups, UsageRow r) {
    KeyRing ring = keys.ring();
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      String value = r.groups().get(i);
      UsageGroup g = groups.get(i);
      m.put(g.name().toLowerCase(Locale.ROOT), value);
      if (g == UsageGroup.KEY) {
        VirtualKey k = value == null ? null : ring.key(value);
        m.put("key_name", value == null ? "(master key)" : k == null ? null : k.name());
      } else if (g == UsageGroup.TEAM) {
        Team t = value == null ? null : ring.team(value);
        m.put("team_name", value == null ? "(master key)" : t == null ? null : t.name());
      }
    }
    m.putAll(metrics(r));
    return m;
  }

  private static Map<String, Object> metrics(UsageRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", r.requests());
    m.put("errors", r.errors());
    m.put("input_tokens", r.inputTokens());
    m.put("output_tokens", r.outputTokens());
    m.put("cache_read_tokens", r.cacheReadTokens());
    m.put("cache_write_tokens", r.cacheWriteTokens());
    m.put("reasoning_tokens", r.reasoningTokens());
    m.put("cost_usd", r.costUsd());
    m.put("estimated", r.estimated());
    return m;
  }

  private static UsageRow total(List<UsageRow> rows) {
    long[] s = new long[8];
    BigDecimal cost = BigDecimal.ZERO;
    for (UsageRow r : rows) {
      s[0] += r.requests();
      s[1] += r.errors();
      s[2] += r.inputTokens();
      s[3] += r.outputTokens();
      s[4] += r.cacheReadTokens();
      s[5] += r.cacheWriteTokens();
      s[6] += r.reasoningTokens();
      s[7] += r.estimated();
      cost = cost.add(new BigDecimal(r.costUsd()));
    }
    return new UsageRow(List.of(), s[0], s[1], s[2], s[3], s[4], s[5], s[6], Spend.plain(cost), s[7]);
  }

  private static String csv(List<UsageGroup> groups, List<Map<String, Object>> rows) {
    List<String> columns = new ArrayList<>();
    for (UsageGroup g : groups) {
      columns.add(g.name().toLowerCase(Locale.ROOT));
      if (g == UsageGroup.KEY) columns.add("key_name");
      if (g == UsageGroup.TEAM) columns.add("team_name");
    }
    columns.addAll(METRICS);
    StringBuilder out = new StringBuilder(String.join(",", columns)).append("\r\n");
    for (Map<String, Object> row : rows) {
      for (int i = 0; i < columns.size(); i++) {
        if (i > 0) out.append(',');
        Object v = row.get(columns.get(i));
        out.append(v == null ? "" : field(v.toString()));
      }
      out.append("\r\n");
    }
    return out.toString();
  }

  /** RFC 4180: quoted when it holds a comma, quote or line break, with quotes doubled. */
  private static String field(String v) {
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
    return '"' + v.replace("\"", "\"\"") + '"';
  }
}
