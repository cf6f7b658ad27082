package dev.switchboard.logging;

import dev.switchboard.exchange.CapturedContent;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.Store;
import dev.switchboard.store.Store.RequestContent;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Keeps the prompts and answers of keys with content logging on, in the store's {@code request_content} table. The
 * event loop only queues what the exchange captured (bounded: beyond {@value #MAX_QUEUED} waiting, content is
 * dropped and counted); one worker decodes it, joins a stream's text, redacts secrets and writes a batch every
 * {@value #FLUSH_MILLIS} ms. Content is never written to a log line. Thread-safe; {@link #close} writes what is left.
 */
public final class ContentLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContentLog.class);
  static final int MAX_QUEUED = 10_000;
  static final long FLUSH_MILLIS = 200;

  private record Item(ExchangeRecord record, CapturedContent content) {}

  private final Store store;
  private final Redactor redactor;
  private final BlockingQueue<Item> pending = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "switchboard-content-log");
    t.setDaemon(true);
    return t;
  });

  public ContentLog(Store store, Redactor redactor) {
    this.store = store;
    this.redactor = redactor;
    writer.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Queues one exchange's content; called on its event loop, never blocks. Like the Meter, it skips requests refused
   * before routing (no deployment): they have no row in the request log to hang the content on.
   */
  public void content(ExchangeRecord record, CapturedContent content) {
    if (record.deployment() == null) return;
    if (!pending.offer(new Item(record, content))) dropped.incrementAndGet();
  }

  private synchronized void flush() {
    long lost = dropped.getAndSet(0);
    if (lost > 0) log.warn("content log: {} requests' content dropped, the writer fell behind", lost);
    List<Item> batch = new ArrayList<>();
    while (pending.drainTo(batch, 1000) > 0) {
      write(batch);
      batch.clear();
    }
  }

  private void write(List<Item> batch) {
    List<RequestContent> rows = new ArrayList<>(batch.size());
    for (Item i : batch) rows.add(row(i.record(), i.content()));
    try {
      store.recordContent(rows);
    } catch (RuntimeException e) {
      // The usage row is what bills; content is a debugging aid and is not retried.
      log.warn("content log: cannot write {} requests' content: {}", rows.size(), e.getMessage());
    }
  }

  RequestContent row(ExchangeRecord r, CapturedContent c) {
    String request = c.request() == null ? null : c.request().toString(StandardCharsets.UTF_8);
    String answer = c.answerText() != null ? c.answerText() : answer(c.answerBytes(), c.stream());
    return new RequestContent(r.requestId(), r.endedMillis() > 0 ? r.endedMillis() : System.currentTimeMillis(),
        redactor.redact(request), c.requestTruncated(), redactor.redact(answer), c.answerTruncated());
  }

  /** A relayed OpenAI stream as its joined text; anything else (a whole JSON body) as sent. */
  static String answer(Buffer bytes, boolean stream) {
    if (bytes == null) return null;
    String raw = bytes.toString(StandardCharsets.UTF_8);
    if (!stream) return raw;
    StringBuilder text = new StringBuilder();
    for (String line : raw.split("\n")) {
      if (!line.startsWith("data:")) continue;
      String data = line.substring(5).trim();
      if (data.isEmpty() || data.equals("[DONE]")) continue;
      try {
        JsonNode event = Json.MAPPER.readTree(data);
        for (JsonNode choice : event.path("choices")) {
          JsonNode content = choice.path("delta").path("content");
          if (content.isString()) text.append(content.asString());
        }
      } catch (RuntimeException e) {
        return raw; // cut mid-event (the 64 KiB bound) or not OpenAI's: the bytes say more than a guess
      }
    }
    return text.isEmpty() ? raw : text.toString();
  }

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
