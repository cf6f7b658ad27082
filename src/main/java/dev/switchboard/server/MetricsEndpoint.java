package dev.switchboard.server;

import dev.switchboard.access.Authenticator;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.exchange.RequestIds;
import dev.switchboard.frontdoor.openai.OpenAiErrorFormat;
import dev.switchboard.metrics.GatewayMetrics;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}. Collected on a worker thread (the store's health check may block); not an exchange, so a
 * scrape counts in no metric. Without {@code metrics.require_key} it takes no key, as Prometheus scrapers usually
 * have none; with it, the master key only, since the answer names teams and keys and what they spend.
 */
final class MetricsEndpoint {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final GatewayMetrics metrics;
  private final Authenticator authenticator;
  private final boolean requireKey;

  MetricsEndpoint(GatewayMetrics metrics, Authenticator authenticator, boolean requireKey) {
    this.metrics = metrics;
    this.authenticator = authenticator;
    this.requireKey = requireKey;
  }

  /** An exchange began; see {@link GatewayMetrics#started}. */
  void started() {
    metrics.started();
  }

  void handle(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      resp.putHeader(HttpHeaders.ALLOW, "GET");
      error(resp, 405, GatewayError.of(405, Kind.INVALID_REQUEST, req.method() + " is not allowed on /metrics; use "
          + "GET.", "method_not_allowed"));
      return;
    }
    if (requireKey && !master(req, resp)) return;
    String accept = req.getHeader(HttpHeaders.ACCEPT);
    Vertx.currentContext().executeBlocking(() -> metrics.scrape(accept), false).onComplete(ar -> {
      if (ar.failed()) {
        log.error("collecting /metrics failed", ar.cause());
        if (!resp.ended()) resp.setStatusCode(500).end();
        return;
      }
      resp.putHeader(HttpHeaders.CONTENT_TYPE, ar.result().contentType())
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      if (req.method() == HttpMethod.HEAD) resp.end();
      else resp.end(Buffer.buffer(ar.result().body()));
    });
  }

  private boolean master(HttpServerRequest req, HttpServerResponse resp) {
    Authenticator.Check check = authenticator.check(req);
    if (check.verdict() != Authenticator.Verdict.OK) {
      error(resp, 401, AuthErrors.of(check.verdict()));
      return false;
    }
    if (check.principal().master()) return true;
    error(resp, 403, GatewayError.of(403, Kind.PERMISSION, "/metrics takes the master key only (metrics.require_key "
        + "is true); this is a virtual key.", "admin_only"));
    return false;
  }

  private static void error(HttpServerResponse resp, int status, GatewayError error) {
    resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON)
        .end(OpenAiErrorFormat.INSTANCE.body(error, RequestIds.next()));
  }
}
