package dev.switchboard.metering;

import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters every routed exchange into the {@link Store}, off the request path: the event loop only appends the
 * finished exchange's record to a queue; one worker thread writes what has gathered every
 * {@value #FLUSH_MILLIS} ms, in one transaction per batch. So a crash loses at most the last
 * {@value #FLUSH_MILLIS} ms of records, and a batch written twice counts once (request ids are unique).
 * Thread-safe; {@link #close} writes what is left.
 */
public final class Meter implements ExchangeObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Meter.class);
  static final long FLUSH_MILLIS = 200;
  private static final int BATCH = 2000;

  private final Store store;
  private final ConcurrentLinkedQueue<ExchangeRecord> pending = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "switchboard-meter");
    t.setDaemon(true);
    return t;
  });

  public Meter(Store store) {
    this.store = store;
    writer.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Called on an event loop: only queues. Exchanges that never reached routing (rejected requests) are not usage. */
  @Override
  public void ended(ExchangeRecord record) {
    if (record.deployment() != null) pending.add(record);
  }

  private void flush() {
    while (!pending.isEmpty()) {
      List<ExchangeRecord> batch = new ArrayList<>(64);
      ExchangeRecord r;
      while (batch.size() < BATCH && (r = pending.poll()) != null) batch.add(r);
      try {
        store.recordUsage(batch, System.currentTimeMillis());
      } catch (RuntimeException e) {
        pending.addAll(batch); // tried again at the next flush
        log.error("metering: could not write {} usage records, will retry: {}", batch.size(), e.getMessage());
        return;
      }
    }
  }

  /** Writes every queued record, then stops the writer. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }
}
