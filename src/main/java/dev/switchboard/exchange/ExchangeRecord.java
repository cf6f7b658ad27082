package dev.switchboard.exchange;

import dev.switchboard.canonical.Usage;

/**
 * What happened in one exchange, for the observers. Never holds prompt or output content.
 *
 * @param provider the provider that served it, or null if none was reached
 * @param usage the upstream's token counts; when an upstream answered but its usage never came (a stream cut or left
 *     by the client), an estimate flagged {@link Usage#estimated()}; null when no upstream answered
 * @param outcome {@code completed}, {@code client_gone}, {@code upstream_error}, {@code truncated},
 *     {@code timeout} or {@code rejected}
 * @param deployment the deployment that served it ({@code provider/upstream-model}), or null if none was tried
 * @param region that deployment's region, or null
 * @param attempts upstream attempts made (0 when none)
 * @param cost what the usage cost at that deployment's price, in USD, or null when unknown
 * @param keyId the virtual key that sent it, or null for the master key
 * @param teamId that key's team, or null
 * @param endedMillis when it ended, Unix milliseconds (what budget periods and daily usage count by); 0 when unknown
 */
public record ExchangeRecord(String requestId, String endpoint, String model, String provider,
    String upstreamModel, boolean stream, int status, String outcome, Usage usage, long durationNanos,
    long firstByteNanos, String deployment, String region, int attempts, java.math.BigDecimal cost,
    String keyId, String teamId, long endedMillis) {

  /** A record without its end time (0: the store then dates it when it writes it). */
  public ExchangeRecord(String requestId, String endpoint, String model, String provider, String upstreamModel,
      boolean stream, int status, String outcome, Usage usage, long durationNanos, long firstByteNanos,
      String deployment, String region, int attempts, java.math.BigDecimal cost, String keyId, String teamId) {
    this(requestId, endpoint, model, provider, upstreamModel, stream, status, outcome, usage, durationNanos,
        firstByteNanos, deployment, region, attempts, cost, keyId, teamId, 0);
  }

  /** The protocol the client spoke: {@code openai}, {@code anthropic} or {@code bedrock}. */
  public String frontDoor() {
    return switch (endpoint) {
      case "messages", "count_tokens" -> "anthropic";
      case "converse", "invoke" -> "bedrock";
      default -> "openai";
    };
  }
}
