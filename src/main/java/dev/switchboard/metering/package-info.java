/**
 * Usage metering: one record per routed request, written to the {@link dev.switchboard.store.Store} off the request
 * path.
 *
 * <p>How the pieces fit: each {@link dev.switchboard.exchange.Exchange} ends once and builds its
 * {@link dev.switchboard.exchange.ExchangeRecord}: key and team, logical model, serving deployment, provider and
 * region, front door, tokens (the upstream's usage, or an estimate flagged as one when the upstream answered but its
 * usage never came), cost at that deployment's price, duration, time to first byte, status and attempts. Its
 * observers hear of it on the event loop; {@link dev.switchboard.metering.Meter} is one of them and only queues it.
 * The Meter's single writer thread commits the queue in batches every flush interval, so the store's latency never
 * reaches a client, and a crash loses at most the queue (see {@code docs/operations.md}, "Usage records"). What the
 * store refuses (PostgreSQL down) goes to the {@link dev.switchboard.metering.Spool} on disk and is written when the
 * store answers again ("Running on PostgreSQL").
 */
package dev.switchboard.metering;
