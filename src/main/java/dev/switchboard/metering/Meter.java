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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters every routed exchange into the {@link Store}, off the request path: the event loop only appends the
 * finished exchange's record to a queue; one worker thread writes what has gathered every flush interval (200 ms by
 * default, {@code metering.flush_interval}), in one transaction per batch of up to {@value #BATCH}.
 *
 * <p>Crash safety: a record is in the store once its batch commits, and a committed batch survives the process
 * being killed (SQLite's WAL). What a crash loses is the queue: records of exchanges that ended since the last
 * commit, so within one flush interval plus the time a write takes (measured by {@code CrashSafetyIT}). Nothing is
 * counted twice: a record is queued once, and the store ignores a request id it already holds.
 *
 * <p>Thread-safe; {@link #close} writes what is left, then stops the writer.
 */
public final class Meter implements ExchangeObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Meter.class);
  private static final int BATCH = 2000;
  /**
   * Records held at most while the store cannot be written (about 50 MB): beyond it new records are dropped and
   * counted in the log, rather than the gateway running out of memory while its disk is full.
   */
  static final int MAX_QUEUED = 200_000;

  private final Store store;
  private final ConcurrentLinkedQueue<ExchangeRecord> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "switchboard-meter");
    t.setDaemon(true);
    return t;
  });

  /** @param flushInterval how often queued records are written; positive */
  public Meter(Store store, java.time.Duration flushInterval) {
    this.store = store;
    long millis = flushInterval.toMillis();
    if (millis <= 0) throw new IllegalArgumentException("flush interval must be positive: " + flushInterval);
    // Fixed delay, not rate: a slow write (a busy disk) delays the next flush instead of queueing flushes behind it.
    writer.scheduleWithFixedDelay(this::flush, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Called on an event loop: only queues. Exchanges that never reached routing (rejected requests) are not usage. */
  @Override
  public void ended(ExchangeRecord record) {
    if (record.deployment() == null) return;
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    pending.add(record);
  }

  /** Writes what is queued; runs on the writer thread (tests call it directly). */
  void flush() {
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      log.error("metering: the store has not been written for a while; {} usage records were dropped to bound memory",
          lost);
    }
    while (!pending.isEmpty()) {
      List<ExchangeRecord> batch = new ArrayList<>(64);
      ExchangeRecord r;
      while (batch.size() < BATCH && (r = pending.poll()) != null) batch.add(r);
      try {
        store.recordUsage(batch, System.currentTimeMillis());
        queued.addAndGet(-batch.size());
      } catch (RuntimeException e) {
        pending.addAll(batch); // tried again at the next flush; a batch that did commit is ignored then
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
