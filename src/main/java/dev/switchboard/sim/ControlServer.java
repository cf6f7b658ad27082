package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's control API (JSON over HTTP), for drills and for tests in other processes:
 *
 * <pre>
 * GET    /sim/deployments                  list: name, region, base_url, anthropic_base_url, gemini_base_url,
 *                                          bedrock_base_url, port, models, fault, down, listening
 * GET    /sim/deployments/{name}           one of them
 * PUT    /sim/deployments/{name}/fault     body {"kind":"status","status":503} | {"kind":"cut","after_tokens":5} |
 *                                          {"kind":"slow_first_byte","delay_ms":2000} | {"kind":"refuse"} | ...
 *                                          optional "count", "retry_after_seconds"
 * DELETE /sim/deployments/{name}/fault
 * PUT    /sim/regions/{region}/outage      every deployment of the region stops listening
 * DELETE /sim/regions/{region}/outage
 * GET    /sim/ledger                       {"entries":[...]} in snake_case
 * DELETE /sim/ledger
 * </pre>
 *
 * Changes answer once they are in effect (a refused port is closed). Bad input gets 400 with a message that says what
 * is valid; unknown names 404. Errors have the shape {@code {"error":{"message":"..."}}}.
 */
final class ControlServer implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
  private static final Set<String> FAULT_FIELDS =
      Set.of("kind", "status", "retry_after_seconds", "delay_ms", "after_tokens", "count");
  private static final String ROUTES = "GET /sim/deployments, GET /sim/deployments/{name}, "
      + "PUT|DELETE /sim/deployments/{name}/fault, PUT|DELETE /sim/regions/{region}/outage, GET|DELETE /sim/ledger";

  private final Simulator sim;

  ControlServer(Simulator sim) {
    this.sim = sim;
  }

  @Override
  public void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      try {
        route(req, body);
      } catch (BadInput e) {
        error(req.response(), e.status, e.getMessage());
      } catch (IllegalArgumentException e) {
        error(req.response(), 400, e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("control API failed on {} {}", req.method(), req.path(), e);
        error(req.response(), 500, "control API failed: " + e);
      }
    });
  }

  private void route(HttpServerRequest req, Buffer body) {
    List<String> seg = Arrays.stream(req.path().split("/"))
        .filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
        .toList();
    HttpMethod m = req.method();
    HttpServerResponse resp = req.response();
    if (seg.size() < 2 || !seg.get(0).equals("sim")) throw new BadInput(404, "no such route; routes: " + ROUTES);
    switch (seg.get(1)) {
      case "deployments" -> {
        if (seg.size() == 2 && m == HttpMethod.GET) {
          ObjectNode o = Json.MAPPER.createObjectNode();
          ArrayNode list = o.putArray("deployments");
          for (Deployment d : sim.all()) list.add(deploymentJson(d));
          json(resp, 200, o);
          return;
        }
        Deployment d = deployment(seg.size() > 2 ? seg.get(2) : "");
        if (seg.size() == 3 && m == HttpMethod.GET) {
          json(resp, 200, deploymentJson(d));
        } else if (seg.size() == 4 && seg.get(3).equals("fault") && m == HttpMethod.PUT) {
          respondWhenDone(resp, sim.setFaultAsync(d, parseFault(body)), d);
        } else if (seg.size() == 4 && seg.get(3).equals("fault") && m == HttpMethod.DELETE) {
          respondWhenDone(resp, sim.setFaultAsync(d, null), d);
        } else {
          throw new BadInput(405, m + " " + req.path() + " is not supported; routes: " + ROUTES);
        }
      }
      case "regions" -> {
        if (seg.size() != 4 || !seg.get(3).equals("outage") || (m != HttpMethod.PUT && m != HttpMethod.DELETE)) {
          throw new BadInput(seg.size() == 4 ? 405 : 404, m + " " + req.path() + " is not a route; routes: " + ROUTES);
        }
        String region = seg.get(2);
        if (!sim.regions().contains(region)) {
          throw new BadInput(404, "unknown region '" + region + "'; known regions: " + sim.regions());
        }
        boolean down = m == HttpMethod.PUT;
        sim.setRegionDownAsync(region, down).onComplete(ar -> {
          if (ar.failed()) {
            error(resp, 500, "region " + region + ": " + ar.cause());
            return;
          }
          ObjectNode o = Json.MAPPER.createObjectNode();
          o.put("region", region);
          o.put("down", down);
          ArrayNode names = o.putArray("deployments");
          for (Deployment d : sim.all()) if (d.region().equals(region)) names.add(d.name());
          json(resp, 200, o);
        });
      }
      case "ledger" -> {
        if (seg.size() != 2) throw new BadInput(404, "no such route; routes: " + ROUTES);
        if (m == HttpMethod.GET) {
          ObjectNode o = Json.MAPPER.createObjectNode();
          ArrayNode list = o.putArray("entries");
          for (LedgerEntry e : sim.ledger().entries()) list.add(ledgerJson(e));
          json(resp, 200, o);
        } else if (m == HttpMethod.DELETE) {
          sim.ledger().clear();
          resp.setStatusCode(204).end();
        } else {
          throw new BadInput(405, m + " /sim/ledger is not supported; use GET or DELETE");
        }
      }
      default -> throw new BadInput(404, "no such route; routes: " + ROUTES);
    }
  }

  private Deployment deployment(String name) {
    try {
      return sim.find(name);
    } catch (IllegalArgumentException e) {
      throw new BadInput(404, e.getMessage());
    }
  }

  private void respondWhenDone(HttpServerResponse resp, Future<Void> change, Deployment d) {
    change.onComplete(ar -> {
      if (ar.failed()) error(resp, 500, d.name() + ": " + ar.cause());
      else json(resp, 200, deploymentJson(d));
    });
  }

  /** Parses a fault body; every problem is a 400 saying what would be valid. */
  static Fault parseFault(Buffer body) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body.getBytes());
    } catch (JacksonException e) {
      throw new BadInput(400, "body is not valid JSON; expected e.g. {\"kind\":\"status\",\"status\":503}");
    }
    if (n == null || !n.isObject()) {
      throw new BadInput(400, "body must be a JSON object, e.g. {\"kind\":\"status\",\"status\":503}");
    }
    for (String field : n.propertyNames()) {
      if (!FAULT_FIELDS.contains(field)) {
        throw new BadInput(400, "unknown field '" + field + "'; valid fields: " + new java.util.TreeSet<>(FAULT_FIELDS));
      }
    }
    String kinds = Arrays.stream(Fault.Kind.values()).map(Fault.Kind::wireName).toList().toString();
    JsonNode k = n.get("kind");
    if (k == null || !k.isString()) throw new BadInput(400, "'kind' is required, one of " + kinds);
    Fault.Kind kind;
    try {
      kind = Fault.Kind.valueOf(k.stringValue().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInput(400, "'kind' is '" + k.stringValue() + "'; valid kinds: " + kinds);
    }
    if (kind == Fault.Kind.STATUS && !n.has("status")) {
      throw new BadInput(400, "kind 'status' needs 'status' (400..599)");
    }
    if (kind == Fault.Kind.SLOW_FIRST_BYTE && !n.has("delay_ms")) {
      throw new BadInput(400, "kind 'slow_first_byte' needs 'delay_ms' (> 0)");
    }
    try {
      return new Fault(kind, intField(n, "status"), intField(n, "retry_after_seconds"), intField(n, "delay_ms"),
          intField(n, "after_tokens"), intField(n, "count"));
    } catch (IllegalArgumentException e) {
      // Fault speaks in Java names; answer in the wire names the caller used.
      throw new BadInput(400, e.getMessage().replace("retryAfterSeconds", "retry_after_seconds")
          .replace("delayMillis", "delay_ms").replace("afterTokens", "after_tokens")
          .replace("SLOW_FIRST_BYTE", "slow_first_byte").replace("STATUS", "status").replace("REFUSE", "refuse")
          .replace("CUT", "cut"));
    }
  }

  private static int intField(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) return 0;
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new BadInput(400, "'" + field + "' must be an integer, got " + v);
    }
    return v.intValue();
  }

  static ObjectNode deploymentJson(Deployment d) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("name", d.name());
    o.put("region", d.region());
    o.put("base_url", d.baseUrl());
    o.put("anthropic_base_url", d.anthropicBaseUrl());
    o.put("gemini_base_url", d.geminiBaseUrl());
    o.put("bedrock_base_url", d.bedrockBaseUrl());
    o.put("port", d.port());
    ArrayNode models = o.putArray("models");
    d.models().forEach(models::add);
    Deployment.ActiveFault af = d.activeFault();
    if (af == null) {
      o.putNull("fault");
    } else {
      Fault f = af.fault();
      ObjectNode fo = o.putObject("fault");
      fo.put("kind", f.kind().wireName());
      if (f.kind() == Fault.Kind.STATUS) fo.put("status", f.status());
      if (f.retryAfterSeconds() > 0) fo.put("retry_after_seconds", f.retryAfterSeconds());
      if (f.kind() == Fault.Kind.SLOW_FIRST_BYTE) fo.put("delay_ms", f.delayMillis());
      if (f.kind() == Fault.Kind.CUT) fo.put("after_tokens", f.afterTokens());
      fo.put("count", f.count());
      if (f.count() > 0) fo.put("remaining", Math.max(0, af.remaining().get()));
    }
    o.put("down", d.regionDown());
    o.put("listening", d.listening());
    return o;
  }

  static ObjectNode ledgerJson(LedgerEntry e) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("seq", e.seq());
    o.put("request_id", e.requestId());
    o.put("deployment", e.deployment());
    o.put("region", e.region());
    o.put("model", e.model());
    o.put("endpoint", e.endpoint());
    o.put("stream", e.stream());
    o.put("prompt_tokens", e.promptTokens());
    o.put("completion_tokens", e.completionTokens());
    o.put("cache_read_tokens", e.cacheReadTokens());
    o.put("cache_write_tokens", e.cacheWriteTokens());
    o.put("outcome", e.outcome());
    return o;
  }

  private static void json(HttpServerResponse resp, int status, JsonNode body) {
    resp.setStatusCode(status).putHeader("content-type", Wire.JSON).end(Buffer.buffer(Json.MAPPER.writeValueAsBytes(body)));
  }

  private static void error(HttpServerResponse resp, int status, String message) {
    if (resp.ended()) return;
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putObject("error").put("message", message);
    json(resp, status, o);
  }

  /** A control API answer other than 200, with its status. */
  private static final class BadInput extends RuntimeException {
    final int status;

    BadInput(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
