package dev.switchboard.exchange;

import io.vertx.core.http.HttpClientRequest;

/**
 * The trace of one exchange: its server span and one client span per upstream attempt. Exists only when tracing
 * is on; with tracing off {@link Exchange#trace()} is null and callers skip every hook after that one null check.
 *
 * <p>Nesting, in the manner of OkHttp's {@code EventListener}: {@link #target} then {@link #attemptStarted} for
 * each attempt, {@link #attemptFailed} at most once per attempt, then {@link #ended} once, which ends the attempts
 * still open (the one that answered gets the exchange's usage). Every hook runs on the exchange's event loop, must
 * be quick and must not throw. No hook receives prompt, output or credential content.
 */
public interface ExchangeTrace {
  /** The deployment ({@code provider/upstream-model}) and region the next attempt goes to; the router says so. */
  void target(String deployment, String region);

  /**
   * Attempt {@code number} is about to connect to {@code host:port} of provider {@code provider} (of {@code type}:
   * openai, anthropic, bedrock, gemini, …) for the upstream model {@code upstreamModel}.
   */
  void attemptStarted(int number, String provider, String type, String host, int port, String upstreamModel);

  /** Puts the W3C {@code traceparent} of attempt {@code number}'s span on its upstream request. */
  void propagate(int number, HttpClientRequest request);

  /** Attempt {@code number} failed or was cancelled ({@code outcome}); {@code error} is null for a cancel. */
  void attemptFailed(int number, GatewayError error, String outcome);

  /** The exchange ended: ends its open spans. Called once. */
  void ended(ExchangeRecord record);

  /** Starts the trace of a new exchange. */
  @FunctionalInterface
  interface Factory {
    ExchangeTrace begin(Exchange exchange);
  }
}
