package dev.switchboard.admin;

import dev.switchboard.access.Keys;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.routing.Catalog;
import dev.switchboard.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST API under {@code /admin/}: teams, keys and usage, JSON in and out, errors in OpenAI's shape with
 * the field at fault in {@code param}. The caller has already checked that the request carries the master key.
 * Work that touches the store or the key service blocks, so it runs on a Vert.x worker and the answer is sent back
 * on the exchange's event loop. Thread-safe.
 *
 * <pre>
 * GET  /admin/teams               POST  /admin/teams
 * GET  /admin/teams/{id|name}     PATCH /admin/teams/{id|name}
 * GET  /admin/keys[?team=]        POST  /admin/keys
 * GET  /admin/keys/{id|prefix}    PATCH /admin/keys/{id|prefix}    DELETE /admin/keys/{id|prefix}
 * POST /admin/keys/{id|prefix}/revoke
 * GET  /admin/usage?group_by=&amp;from=&amp;to=&amp;key=&amp;team=&amp;model=&amp;format=json|csv
 * GET  /admin/overview?window=60s  GET /admin/events?limit=   (the dashboard's)
 * GET  /admin/requests?from=&amp;to=&amp;key=&amp;team=&amp;model=&amp;deployment=&amp;status=&amp;outcome=&amp;limit=&amp;before=
 * GET  /admin/requests/{id}
 * </pre>
 */
public final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final String PREFIX = "/admin/";
  private static final String ENDPOINTS = "GET/POST /admin/teams, GET/PATCH /admin/teams/{id}, GET/POST /admin/keys, "
      + "GET/PATCH/DELETE /admin/keys/{id}, POST /admin/keys/{id}/revoke, GET /admin/usage, GET /admin/requests[/{id}], "
      + "GET /admin/overview, GET /admin/events and GET /admin/routes/{model}";

  private final Vertx vertx;
  private final TeamsEndpoint teams;
  private final KeysEndpoint keys;
  private final UsageEndpoint usage;
  private final OverviewEndpoint overview;
  private final EventLog events;
  private final RequestsEndpoint requests;

  /**
   * @param pulse this instance's live numbers, fed by the gateway's exchange observer
   * @param events this instance's routing events
   */
  public AdminApi(Vertx vertx, Keys keys, Store store, Catalog catalog, Pulse pulse, EventLog events) {
    this.vertx = vertx;
    this.teams = new TeamsEndpoint(keys, store);
    this.keys = new KeysEndpoint(keys, store, catalog);
    this.usage = new UsageEndpoint(keys, store);
    this.overview = new OverviewEndpoint(pulse, store, java.time.InstantSource.system());
    this.events = events;
    this.requests = new RequestsEndpoint(keys, store);
  }

  /**
   * Answers one admin call and ends the exchange. Called on the exchange's event loop.
   *
   * @param body the request body for POST, PATCH and PUT, else null
   */
  public void handle(Exchange exchange, Buffer body) {
    HttpServerRequest req = exchange.request();
    List<String> seg = segments(req.path());
    Callable<Reply> work = route(exchange, req, seg, body);
    if (work == null) return;
    vertx.executeBlocking(work, false).onComplete(done -> {
      if (done.succeeded()) send(exchange, done.result());
      else fail(exchange, done.cause());
    });
  }

  private Callable<Reply> route(Exchange ex, HttpServerRequest req, List<String> seg, Buffer body) {
    HttpMethod m = req.method();
    String resource = seg.isEmpty() ? "" : seg.getFirst();
    switch (resource) {
      case "teams" -> {
        if (seg.size() == 1) {
          if (m == HttpMethod.GET) return teams::list;
          if (m == HttpMethod.POST) return () -> teams.create(Fields.object(body, TeamsEndpoint.EXAMPLE));
          return notAllowed(ex, "GET, POST");
        }
        if (seg.size() == 2) {
          String ref = seg.get(1);
          if (m == HttpMethod.GET) return () -> teams.show(ref);
          if (m == HttpMethod.PATCH) return () -> teams.update(ref, Fields.object(body, "{\"limits\": {\"rpm\": 600}}"));
          return notAllowed(ex, "GET, PATCH");
        }
      }
      case "keys" -> {
        if (seg.size() == 1) {
          String team = req.getParam("team");
          if (m == HttpMethod.GET) return () -> keys.list(team == null || team.isBlank() ? null : team);
          if (m == HttpMethod.POST) return () -> keys.create(Fields.object(body, KeysEndpoint.EXAMPLE));
          return notAllowed(ex, "GET, POST");
        }
        String ref = seg.get(1);
        if (seg.size() == 2) {
          if (m == HttpMethod.GET) return () -> keys.show(ref);
          if (m == HttpMethod.PATCH) return () -> keys.update(ref, Fields.object(body, "{\"budgets\": [\"10/day\"]}"));
          if (m == HttpMethod.DELETE) return () -> keys.revoke(ref);
          return notAllowed(ex, "GET, PATCH, DELETE");
        }
        if (seg.size() == 3 && seg.get(2).equals("revoke")) {
          if (m == HttpMethod.POST) return () -> keys.revoke(ref);
          return notAllowed(ex, "POST");
        }
      }
      case "usage" -> {
        if (seg.size() == 1) {
          String accept = req.getHeader(HttpHeaders.ACCEPT);
          boolean csv = accept != null && accept.contains("text/csv");
          if (m == HttpMethod.GET) return () -> usage.usage(req.params(), csv);
          return notAllowed(ex, "GET");
        }
      }
      case "overview" -> {
        if (seg.size() == 1) {
          if (m == HttpMethod.GET) return () -> overview.overview(req.getParam("window"));
          return notAllowed(ex, "GET");
        }
      }
      case "events" -> {
        if (seg.size() == 1) {
          if (m != HttpMethod.GET) return notAllowed(ex, "GET");
          String limit = req.getParam("limit");
          return () -> eventList(limit);
        }
      }
      case "requests" -> {
        if (seg.size() <= 2 && m != HttpMethod.GET) return notAllowed(ex, "GET");
        if (seg.size() == 1) return () -> requests.list(req.params());
        if (seg.size() == 2) {
          String id = seg.get(1);
          return () -> requests.show(id);
        }
      }
      default -> {
        // unknown: answered below
      }
    }
    ex.fail(GatewayError.of(404, Kind.NOT_FOUND, "Unknown admin URL: " + m + " " + req.path() + ". The admin API "
        + "serves " + ENDPOINTS + ".", "unknown_url"), "rejected");
    return null;
  }

  private Reply eventList(String limit) {
    int n = EventLog.CAPACITY;
    if (limit != null && !limit.isBlank()) {
      try {
        n = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > EventLog.CAPACITY) {
        throw new BadInput("limit", "'limit' is '" + limit + "'; give 1 to " + EventLog.CAPACITY + ".");
      }
    }
    java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("object", "list");
    body.put("data", events.recent(n));
    return Reply.json(200, body);
  }

  private static Callable<Reply> notAllowed(Exchange ex, String allowed) {
    HttpServerRequest req = ex.request();
    ex.response().putHeader(HttpHeaders.ALLOW, allowed);
    ex.fail(GatewayError.of(405, Kind.INVALID_REQUEST, req.method() + " is not allowed on " + req.path() + "; use "
        + allowed + ".", "method_not_allowed"), "rejected");
    return null;
  }

  /** The path after {@code /admin/}, split and percent-decoded segment by segment (a team name may hold a '/'). */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    String rest = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "";
    for (String s : rest.split("/")) {
      if (!s.isEmpty()) out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void send(Exchange ex, Reply reply) {
    ex.response().setStatusCode(reply.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType())
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store"); // a new key's answer holds the key itself
    if (reply.disposition() != null) ex.response().putHeader("content-disposition", reply.disposition());
    ex.complete(Buffer.buffer(reply.body()), null);
  }

  private static void fail(Exchange ex, Throwable t) {
    GatewayError error = switch (t) {
      case BadInput b -> new GatewayError(400, Kind.INVALID_REQUEST, b.getMessage(), b.field(), "invalid_value", -1);
      case KeysEndpoint.Missing m -> new GatewayError(404, Kind.NOT_FOUND, m.getMessage(), m.field, "not_found", -1);
      case Keys.NotFound n -> GatewayError.of(404, Kind.NOT_FOUND, n.getMessage(), "not_found");
      case Store.StoreConflict c -> GatewayError.of(409, Kind.INVALID_REQUEST, capitalized(c.getMessage()) + ".",
          "conflict");
      case Store.Unavailable u -> {
        log.warn("admin request {}: {}", ex.requestId(), u.getMessage());
        yield GatewayError.of(503, Kind.UNAVAILABLE, "The store (PostgreSQL) is unavailable, so teams, keys and usage "
            + "cannot be read or changed now; requests are still routed and metered. Try again when it is back.",
            "store_unavailable").withRetryAfter(5);
      }
      case IllegalArgumentException i -> GatewayError.invalid(capitalized(i.getMessage()) + ".", null, "invalid_value");
      default -> {
        log.error("admin request {} failed inside the gateway", ex.requestId(), t);
        yield GatewayError.of(500, Kind.INTERNAL, "Switchboard failed while handling this admin request (request id "
            + ex.requestId() + "). This is a bug; the gateway log has the details.", "internal_error");
      }
    };
    ex.fail(error, "rejected");
  }

  private static String capitalized(String s) {
    return s == null || s.isEmpty() ? "Invalid request" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
