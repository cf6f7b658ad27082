/**
 * What the gateway writes about itself: its log lines, the access log and the request log's content.
 *
 * <p>How the pieces fit: {@link dev.switchboard.logging.LogSetup} turns the {@code logging:} settings into Logback's
 * configuration at start (text lines or {@link dev.switchboard.logging.JsonLineEncoder}'s JSON lines, always behind
 * an asynchronous appender so that an event loop never waits for stderr). {@link dev.switchboard.logging.AccessLog}
 * hears every finished exchange and writes one line per request from its own thread, with ids, model, status,
 * tokens and cost, never content and never a key. {@link dev.switchboard.logging.ContentLog} keeps the prompts and
 * answers of keys with content logging on: it redacts them ({@link dev.switchboard.logging.Redactor}) and writes
 * them to the store in batches, off the request path; content never goes to a log line.
 */
package dev.switchboard.logging;
