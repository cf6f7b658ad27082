package dev.switchboard.exchange;

import dev.switchboard.canonical.Usage;

/**
 * What happened in one exchange, for the observers. Never holds prompt or output content.
 *
 * @param provider the provider that served it, or null if none was reached
 * @param usage the upstream's token counts, or null when it sent none
 * @param outcome {@code completed}, {@code client_gone}, {@code upstream_error}, {@code truncated},
 *     {@code timeout} or {@code rejected}
 * @param deployment the deployment that served it ({@code provider/upstream-model}), or null if none was tried
 * @param region that deployment's region, or null
 * @param attempts upstream attempts made (0 when none)
 * @param cost what the usage cost at that deployment's price, in USD, or null when unknown
 */
public record ExchangeRecord(String requestId, String endpoint, String model, String provider,
    String upstreamModel, boolean stream, int status, String outcome, Usage usage, long durationNanos,
    long firstByteNanos, String deployment, String region, int attempts, java.math.BigDecimal cost) {}
