package dev.switchboard.routing;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import io.vertx.core.Future;
import java.util.List;

/**
 * What the router asks before an exchange's first attempt: may this caller send this request now? The access
 * layer answers it (allowed models, rate limits, budget reservation) and takes care of releasing what it took
 * when the exchange ends ({@link Exchange#whenEnded}). Called on the exchange's event loop; must not block. The
 * answer may come later (counters shared in Redis): it must then complete on the exchange's event loop.
 */
@FunctionalInterface
public interface Admission {
  /** The answer "admitted", already known. */
  Future<GatewayError> ADMITTED = Future.succeededFuture();

  Admission OPEN = (exchange, route, order) -> ADMITTED;

  /**
   * @param order the deployments the exchange may be sent to, best first (fallbacks included)
   * @return a future of null to admit, or of the error to refuse with; a failed future refuses with a 503
   */
  Future<GatewayError> admit(Exchange exchange, Catalog.Route route, List<Deployment> order);
}
