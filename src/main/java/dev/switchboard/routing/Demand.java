package dev.switchboard.routing;

import java.math.BigDecimal;
import java.util.Set;

/**
 * What one request asks of the deployment that serves it: derived from the request (capabilities it uses, its
 * estimated size) and narrowed by the client within the model's policy (headers).
 *
 * @param strategy overrides the model's strategy for this request, or null
 * @param capabilities of {@code tools}, {@code vision}, {@code json_schema}, {@code reasoning} the request uses
 * @param estimatedTokens prompt plus requested output, estimated; 0 when unknown
 * @param residency allowed data-residency tags; empty for any
 * @param region the preferred region, or null
 * @param maxPrice the highest blended price (USD per million tokens, see {@link Deployment#blendedPrice}), or null
 */
public record Demand(String strategy, Set<String> capabilities, int estimatedTokens, Set<String> residency,
    String region, BigDecimal maxPrice) {
  public static final Demand NONE = new Demand(null, Set.of(), 0, Set.of(), null, null);

  public Demand {
    capabilities = Set.copyOf(capabilities);
    residency = Set.copyOf(residency);
  }
}
