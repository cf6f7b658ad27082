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
 * <p>When the store cannot be written (a PostgreSQL outage) and the Meter has a {@link Spool}, each failed batch and
 * whatever queues after it is appended to the spool file in the state directory and forced to disk; the store is
 * tried again every {@value #RETRY_MILLIS} ms, and once it answers the spool is written to it first (a request id
 * already stored is ignored, so a replay interrupted half-way counts nothing twice). A spool left by a crash is
 * written at the next start. Beyond the spool's bound records are dropped and counted in the log at ERROR.
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

  /** How long the writer goes on spooling after the store failed before it tries the store again. */
  static final long RETRY_MILLIS = 1_000;

  private final Store store;
  /** Null when the Meter keeps failed batches in memory only (tests of the queue). */
  private final Spool spool;
  /** Guarded by {@code this}: when the store may be tried again while the spool holds records. */
  private long retryAtMillis;
  /** Guarded by {@code this}: the last write failed (to log the outage once, and its end). */
  private boolean storeDown;
  private final ConcurrentLinkedQueue<ExchangeRecord> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "switchboard-meter");
    t.setDaemon(true);
    return t;
  });

  /**
   * A Meter that keeps records the store refused in memory only (bounded by {@link #MAX_QUEUED}) and retries them.
   *
   * @param flushInterval how often queued records are written; positive
   */
  public Meter(Store store, java.time.Duration flushInterval) {
    this(store, flushInterval, null);
  }

  /**
   * A Meter that spools batches the store refused to {@code usage-spool.jsonl} in {@code home}, up to
   * {@code spoolLimit} records, and writes them to the store when it answers again. A spool left by an earlier run
   * is written now, if the store answers (else at the writer's next try).
   */
  public Meter(Store store, java.time.Duration flushInterval, java.nio.file.Path home, long spoolLimit) {
    this(store, flushInterval, new Spool(home, spoolLimit));
    if (spool.size() > 0) {
      log.info("metering: {} usage records were spooled by an earlier run; writing them to the store", spool.size());
      synchronized (this) {
        replaySpool(System.currentTimeMillis());
      }
    }
  }

  private Meter(Store store, java.time.Duration flushInterval, Spool spool) {
    this.store = store;
    this.spool = spool;
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

  /** Usage records waiting in the on-disk spool for the store to answer (0 without a spool). */
  public long spooled() {
    return spool == null ? 0 : spool.size();
  }

  /** Writes what is queued; runs on the writer thread (tests call it directly). */
  synchronized void flush() {
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      log.error("metering: the store has not been written for a while and {} is full; {} usage records were dropped",
          spool == null ? "the queue" : "the spool (metering.spool_limit)", lost);
    }
    long now = System.currentTimeMillis();
    if (spool != null && spool.size() > 0) {
      // Records keep their order of arrival in the store's eyes: nothing newer is written before the spool.
      if (now < retryAtMillis || !replaySpool(now)) {
        spoolPending(now);
        return;
      }
    }
    while (!pending.isEmpty()) {
      List<ExchangeRecord> batch = new ArrayList<>(64);
      ExchangeRecord r;
      while (batch.size() < BATCH && (r = pending.poll()) != null) batch.add(r);
      try {
        store.recordUsage(batch, now);
        queued.addAndGet(-batch.size());
        recovered();
      } catch (RuntimeException e) {
        failed(e, now);
        if (spool == null) {
          pending.addAll(batch); // tried again at the next flush; a batch that did commit is ignored then
          log.error("metering: could not write {} usage records, will retry: {}", batch.size(), e.getMessage());
          return;
        }
        toSpool(batch, now);
        spoolPending(now);
        return;
      }
    }
  }

  /** Writes the spool to the store; false (and the spool kept) when the store fails. */
  private boolean replaySpool(long now) {
    long n = spool.size();
    try {
      spool.replay(BATCH, batch -> store.recordUsage(batch, now));
      log.info("metering: wrote {} spooled usage records to the store", n);
      recovered();
      return true;
    } catch (RuntimeException e) {
      failed(e, now);
      return false;
    }
  }

  private void failed(RuntimeException e, long now) {
    retryAtMillis = now + RETRY_MILLIS;
    if (!storeDown && spool != null) {
      log.error("metering: the store cannot be written ({}); usage records go to the spool {} (up to its bound) "
          + "until it can", e.getMessage(), spool.file());
    }
    storeDown = true;
  }

  private void recovered() {
    if (storeDown) log.info("metering: the store is written again");
    storeDown = false;
  }

  private void spoolPending(long now) {
    while (!pending.isEmpty()) {
      List<ExchangeRecord> batch = new ArrayList<>(64);
      ExchangeRecord r;
      while (batch.size() < BATCH && (r = pending.poll()) != null) batch.add(r);
      if (!toSpool(batch, now)) return;
    }
  }

  /** Moves a batch from memory to the spool; false when the disk failed (the batch is back in memory). */
  private boolean toSpool(List<ExchangeRecord> batch, long now) {
    int appended;
    try {
      appended = spool.append(batch, now);
    } catch (RuntimeException e) {
      pending.addAll(batch);
      log.error("metering: {}; {} usage records stay in memory", e.getMessage(), batch.size());
      return false;
    }
    queued.addAndGet(-batch.size());
    if (appended < batch.size()) dropped.addAndGet(batch.size() - appended);
    return true;
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
    synchronized (this) {
      retryAtMillis = 0; // the last chance to write the spool before the process ends: take it
    }
    flush();
    if (spool != null) spool.close();
  }
}
