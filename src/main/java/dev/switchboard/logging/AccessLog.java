package dev.switchboard.logging;

import dev.switchboard.access.KeyMaker;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The access log ({@code logging.requests: true}): one INFO line per request on the {@code switchboard.access}
 * logger, with the request id, key prefix (the key's public id, never the key), team, model, deployment, status,
 * outcome, duration, tokens and cost as key-value pairs (top-level fields of a JSON line). Never content. The event
 * loop only queues the record; a daemon thread formats and logs it, so logging costs the request path one queue
 * offer. Beyond {@value #MAX_QUEUED} waiting lines, lines are dropped and counted. Thread-safe.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("switchboard.access");
  private static final Logger self = LoggerFactory.getLogger(AccessLog.class);
  static final int MAX_QUEUED = 50_000;

  private final BlockingQueue<ExchangeRecord> pending = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  public AccessLog() {
    writer = new Thread(this::run, "switchboard-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void ended(ExchangeRecord record) {
    if (!pending.offer(record)) dropped.incrementAndGet();
  }

  private void run() {
    List<ExchangeRecord> batch = new ArrayList<>();
    while (!closed || !pending.isEmpty()) {
      try {
        ExchangeRecord first = pending.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        pending.drainTo(batch, 1000);
        for (ExchangeRecord r : batch) line(r);
        batch.clear();
        long lost = dropped.getAndSet(0);
        if (lost > 0) self.warn("access log: {} lines dropped, the log could not keep up", lost);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void line(ExchangeRecord r) {
    Usage u = r.usage();
    long ms = r.durationNanos() / 1_000_000;
    LoggingEventBuilder e = log.atInfo()
        .addKeyValue("request_id", r.requestId())
        .addKeyValue("front_door", r.frontDoor())
        .addKeyValue("endpoint", r.endpoint())
        .addKeyValue("key", r.keyId() == null ? "master" : KeyMaker.prefixOf(r.keyId()))
        .addKeyValue("team", r.teamId())
        .addKeyValue("model", r.model())
        .addKeyValue("deployment", r.deployment())
        .addKeyValue("status", r.status())
        .addKeyValue("outcome", r.outcome())
        .addKeyValue("attempts", r.attempts())
        .addKeyValue("duration_ms", ms)
        .addKeyValue("input_tokens", u == null ? null : u.inputTokens())
        .addKeyValue("output_tokens", u == null ? null : u.outputTokens())
        .addKeyValue("cost_usd", r.cost() == null ? null : r.cost().toPlainString());
    e.log("{} {} key={} team={} model={} deployment={} status={} outcome={} {}ms tokens={}/{} cost={}",
        r.requestId(), r.endpoint(), r.keyId() == null ? "master" : KeyMaker.prefixOf(r.keyId()), r.teamId(),
        r.model(), r.deployment(), r.status(), r.outcome(), ms, u == null ? null : u.inputTokens(),
        u == null ? null : u.outputTokens(), r.cost() == null ? null : r.cost().toPlainString());
  }

  /** Logs what is queued, then stops the writer. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
