package dev.switchboard.admin;

import dev.switchboard.access.KeyMaker;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.store.Store;
import dev.switchboard.store.Store.RequestContent;
import dev.switchboard.store.Store.RequestRow;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /admin/requests} and {@code GET /admin/requests/{id}}: the request log, newest first, from the usage
 * ledger; one request with its prompt and answer when its key had content logging on (redacted). Paged by
 * {@code before}, the last id of the previous page. Blocking: runs on a worker.
 */
final class RequestsEndpoint {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;
  private static final Set<String> PARAMS = new LinkedHashSet<>(List.of("from", "to", "key", "team", "model",
      "deployment", "status", "outcome", "limit", "before"));

  private final Keys keys;
  private final Store store;

  RequestsEndpoint(Keys keys, Store store) {
    this.keys = keys;
    this.store = store;
  }

  Reply list(MultiMap params) {
    for (String name : params.names()) {
      if (!PARAMS.contains(name)) {
        throw new BadInput(name, "Unknown parameter '" + name + "'; the parameters are " + String.join(", ", PARAMS)
            + ".");
      }
    }
    long from = time(params, "from", false);
    long to = time(params, "to", true);
    String keyId = blank(params.get("key")) ? null : keys.key(params.get("key").trim()).id();
    String teamId = blank(params.get("team")) ? null : keys.team(params.get("team").trim()).id();
    int[] status = status(params.get("status"));
    int limit = limit(params.get("limit"));
    String before = blank(params.get("before")) ? null : params.get("before").trim();
    List<RequestRow> rows = store.requests(new Store.RequestQuery(from, to, keyId, teamId, trimmed(params, "model"),
        trimmed(params, "deployment"), status[0], status[1], trimmed(params, "outcome"), before, limit + 1));
    boolean more = rows.size() > limit;
    if (more) rows = rows.subList(0, limit);
    List<Object> data = new ArrayList<>();
    for (RequestRow r : rows) data.add(view(r));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("object", "list");
    body.put("data", data);
    body.put("has_more", more);
    body.put("next_before", more ? rows.getLast().requestId() : null);
    return Reply.json(200, body);
  }

  Reply show(String id) {
    RequestRow row = store.request(id);
    if (row == null) {
      throw new Keys.NotFound("No request '" + id + "' in the request log. Request ids are in each answer's "
          + "x-request-id header; a request shows up here within a moment of its end (the ledger is written in "
          + "batches).");
    }
    RequestContent content = store.content(id);
    Map<String, Object> view = view(row);
    view.put("content_logging", content != null);
    if (content == null) {
      view.put("content", null);
    } else {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("request", content.request());
      c.put("request_truncated", content.requestTruncated());
      c.put("answer", content.answer());
      c.put("answer_truncated", content.answerTruncated());
      view.put("content", c);
    }
    return Reply.json(200, view);
  }

  private Map<String, Object> view(RequestRow r) {
    VirtualKey key = r.keyId() == null ? null : keys.ring().key(r.keyId());
    Team team = r.teamId() == null ? null : keys.ring().team(r.teamId());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "request");
    m.put("id", r.requestId());
    m.put("time", Views.instant(r.atMillis()));
    m.put("key", r.keyId() == null ? null : KeyMaker.prefixOf(r.keyId()));
    m.put("key_id", r.keyId());
    m.put("key_name", key == null ? (r.keyId() == null ? "master" : null) : key.name());
    m.put("team", r.teamId());
    m.put("team_name", team == null ? null : team.name());
    m.put("model", r.model());
    m.put("deployment", r.deployment());
    m.put("provider", r.provider());
    m.put("region", r.region());
    m.put("front_door", r.frontDoor());
    m.put("endpoint", r.endpoint());
    m.put("stream", r.stream());
    m.put("status", r.status());
    m.put("outcome", r.outcome());
    m.put("input_tokens", r.inputTokens());
    m.put("output_tokens", r.outputTokens());
    m.put("cache_read_tokens", r.cacheReadTokens());
    m.put("cache_write_tokens", r.cacheWriteTokens());
    m.put("reasoning_tokens", r.reasoningTokens());
    m.put("estimated", r.estimated());
    m.put("cost_usd", r.costUsd());
    m.put("duration_ms", r.durationMs());
    m.put("ttft_ms", r.firstByteMs());
    m.put("attempts", r.attempts());
    return m;
  }

  /** An ISO-8601 instant, a UTC date (a {@code to} date includes its whole day) or Unix milliseconds. */
  private static long time(MultiMap params, String name, boolean end) {
    String v = params.get(name);
    if (blank(v)) return end ? Long.MAX_VALUE : 0;
    v = v.trim();
    try {
      if (v.chars().allMatch(Character::isDigit)) return Long.parseLong(v);
      if (v.length() == 10) {
        LocalDate d = LocalDate.parse(v);
        return (end ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new BadInput(name, "'" + name + "' is '" + v + "'; write an instant (2026-11-26T10:00:00Z), a date "
          + "(2026-11-26) or Unix milliseconds.");
    }
  }

  /** {@code 200}, a class such as {@code 5xx}, or {@code error} (400 and above): the range of statuses included. */
  private static int[] status(String v) {
    if (blank(v)) return new int[] {0, 999};
    String s = v.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("error")) return new int[] {400, 999};
    if (s.matches("[1-5]xx")) {
      int c = (s.charAt(0) - '0') * 100;
      return new int[] {c, c + 99};
    }
    if (s.matches("[1-5][0-9][0-9]")) {
      int c = Integer.parseInt(s);
      return new int[] {c, c};
    }
    throw new BadInput("status", "'status' is '" + v + "'; write a status (429), a class (5xx) or 'error' (400 and "
        + "above).");
  }

  private static int limit(String v) {
    if (blank(v)) return DEFAULT_LIMIT;
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= MAX_LIMIT) return n;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadInput("limit", "'limit' is '" + v + "'; it must be a whole number from 1 to " + MAX_LIMIT + ".");
  }

  private static String trimmed(MultiMap params, String name) {
    String v = params.get(name);
    return blank(v) ? null : v.trim();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
