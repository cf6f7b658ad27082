package dev.switchboard.routing;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import java.util.List;

/**
 * What the router asks before an exchange's first attempt: may this caller send this request now? The access
 * layer answers it (allowed models, rate limits, budget reservation) and takes care of releasing what it took
 * when the exchange ends ({@link Exchange#whenEnded}). Called on the exchange's event loop; must not block.
 */
@FunctionalInterface
public interface Admission {
  Admission OPEN = (exchange, route, order) -> null;

  /**
   * @param order the deployments the exchange may be sent to, best first (fallbacks included)
   * @return null to admit, or the error to refuse with
   */
  GatewayError admit(Exchange exchange, Catalog.Route route, List<Deployment> order);
}
