/**
 * OpenTelemetry traces of exchanges, exported over OTLP/HTTP; off unless {@code tracing.enabled} is true.
 *
 * <p>How the pieces fit: {@link dev.switchboard.tracing.Tracing} owns the SDK (tracer provider, batch processor,
 * OTLP exporter on the JDK's HTTP client) and begins one {@code ExchangeSpans} per exchange as the gateway creates
 * it. That object is the exchange's {@link dev.switchboard.exchange.ExchangeTrace}: the server span continues the
 * client's {@code traceparent}; the router and {@code provider.UpstreamCall} call its hooks to open a client span per
 * upstream attempt and to put that span's {@code traceparent} on the upstream request; the exchange's end closes
 * what is open. Spans are queued on the event loop and exported by the batch processor's own thread, so an
 * unreachable collector never slows a request (it costs dropped spans, not latency). With tracing off nothing in
 * this package is loaded: {@code Exchange.trace()} is null.
 */
package dev.switchboard.tracing;
