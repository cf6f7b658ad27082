package dev.switchboard.admin;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Demand;
import dev.switchboard.routing.Demands;
import dev.switchboard.routing.Router;
import dev.switchboard.util.Json;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * {@code GET /admin/routes/{model}}: where a request for the model would go now and why, as JSON; the routing
 * headers ({@code x-switchboard-strategy}, {@code -region}, {@code -residency}, {@code -max-price}) narrow it as
 * they would a request. What {@code switchboard routes MODEL} prints. Stateless and thread-safe.
 */
public final class RoutesEndpoint {
  private final Catalog catalog;
  private final Router router;

  public RoutesEndpoint(Catalog catalog, Router router) {
    this.catalog = catalog;
    this.router = router;
  }

  /** Answers for {@code model} (already percent-decoded). Ends the exchange. */
  public void explain(Exchange exchange, String model) {
    Catalog.Route route = catalog.resolve(model);
    if (route == null) {
      exchange.fail(GatewayError.of(404, GatewayError.Kind.NOT_FOUND, "No model named '" + model + "'. Models: "
          + String.join(", ", catalog.names()), "model_not_found"), "rejected");
      return;
    }
    Demand demand;
    try {
      demand = Demands.of(null, exchange.request().headers());
    } catch (IllegalArgumentException e) {
      exchange.fail(GatewayError.invalid(e.getMessage(), null, "invalid_header"), "rejected");
      return;
    }
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(Buffer.buffer(Json.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsBytes(router.explain(route, demand))), null);
  }
}
