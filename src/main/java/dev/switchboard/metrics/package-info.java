/**
 * {@code GET /metrics}: Prometheus metrics of the gateway and the OpenTelemetry GenAI metrics, in the Prometheus text
 * format (or OpenMetrics). {@link dev.switchboard.metrics.GatewayMetrics} hears every ended exchange as an observer
 * and counts it into series cached per label set; what the routing health, the budget book, the Meter's spool, Redis
 * and the store hold is read when scraped. docs/operations.md, "Metrics", lists every metric.
 */
package dev.switchboard.metrics;
