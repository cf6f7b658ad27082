package dev.switchboard.access;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every instance's {@link KeyRing} current when another instance changes a key or a team. Each write through
 * {@link Keys} is published on the channel {@code <prefix>:keys}; every instance subscribes and, on a message from
 * another instance, re-reads the store (on a worker) into its ring, so a revoked key stops working everywhere as
 * soon as the message arrives. Messages are not kept by Redis: one sent while an instance was cut off is lost, so
 * every instance also re-reads the store every {@link #REFRESH_MS} and each time it (re)subscribes. Re-reads are
 * coalesced: a burst of changes costs at most two. Thread-safe.
 */
final class KeyBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeyBus.class);
  /** The longest a change can take to reach an instance that missed its message (Redis down, or just restarted). */
  static final long REFRESH_MS = 30_000;

  private final Vertx vertx;
  private final RedisLink link;
  private final Keys keys;
  private final String channel;
  private final String instance;
  /** Other channels on the same subscription (health hints): channel to handler of the payload after the sender. */
  private final java.util.Map<String, java.util.function.Consumer<String>> others =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.List<Runnable> subscribed = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** 0 idle, 1 reading, 2 reading and another read asked for. */
  private final AtomicInteger reading = new AtomicInteger();
  private volatile RedisConnection subscriber;
  private volatile boolean closed;
  private long periodic = -1;

  KeyBus(Vertx vertx, RedisLink link, Keys keys, String prefix, String instance) {
    this.vertx = vertx;
    this.link = link;
    this.keys = keys;
    this.channel = prefix + ":keys";
    this.instance = instance;
  }

  /**
   * Also delivers messages of {@code channel} from other instances to {@code handler} (on a Redis context), and runs
   * {@code onSubscribed} each time the subscription is made or made again. Call before {@link #start}.
   */
  void listen(String channel, java.util.function.Consumer<String> handler, Runnable onSubscribed) {
    others.put(channel, handler);
    subscribed.add(onSubscribed);
  }

  /** Publishes {@code payload} on {@code channel}, marked as this instance's; dropped while Redis is down. */
  void publish(String channel, String payload) {
    if (link.up()) link.send(Request.cmd(Command.PUBLISH).arg(channel).arg(instance + " " + payload));
  }

  void start() {
    keys.onChange(this::publish);
    link.whenUp(this::subscribe);
    if (link.up()) subscribe();
    periodic = vertx.setPeriodic(REFRESH_MS, t -> refresh());
  }

  /** Tells the other instances; if Redis does not take it, their periodic re-read will. */
  private void publish(String what) {
    publish(channel, what);
  }

  private void subscribe() {
    if (closed || subscriber != null) return;
    link.client().connect().onSuccess(conn -> {
      if (closed) {
        conn.close();
        return;
      }
      subscriber = conn;
      conn.handler(this::message);
      conn.exceptionHandler(e -> lost(conn));
      conn.endHandler(v -> lost(conn));
      Request subscribe = Request.cmd(Command.SUBSCRIBE).arg(channel);
      for (String c : others.keySet()) subscribe.arg(c);
      conn.send(subscribe).onSuccess(r -> {
        refresh();
        for (Runnable s : subscribed) s.run();
      }).onFailure(e -> lost(conn));
    }).onFailure(e -> retry());
  }

  private void lost(RedisConnection conn) {
    if (subscriber != conn) return;
    subscriber = null;
    conn.close();
    retry();
  }

  /** Tries again in a second while Redis answers; when it does not, its return calls {@link #subscribe}. */
  private void retry() {
    if (!closed) vertx.setTimer(1_000, t -> {
      if (link.up()) subscribe();
    });
  }

  private void message(Response r) {
    // ["message", channel, payload], as a RESP2 array or a RESP3 push.
    if (r == null || r.size() < 3 || !"message".equals(r.get(0).toString())) return;
    String payload = r.get(2).toString();
    if (payload.startsWith(instance + " ")) return; // this instance's own change is in its ring already
    String from = r.get(1).toString();
    java.util.function.Consumer<String> other = others.get(from);
    if (other != null) {
      int space = payload.indexOf(' ');
      other.accept(space < 0 ? payload : payload.substring(space + 1));
      return;
    }
    refresh();
  }

  /** Re-reads the store on a worker; a request for a re-read during one runs another after it. */
  void refresh() {
    if (closed || reading.getAndUpdate(s -> Math.min(2, s + 1)) > 0) return;
    read();
  }

  private void read() {
    vertx.executeBlocking(keys::reload, false).onComplete(ar -> {
      if (ar.failed()) log.warn("re-reading keys and teams from the store failed: {}", ar.cause().toString());
      else if (ar.result() > 0) log.debug("{} keys and teams changed by other instances", ar.result());
      if (reading.decrementAndGet() > 0) read();
    });
  }

  @Override
  public void close() {
    closed = true;
    if (periodic >= 0) vertx.cancelTimer(periodic);
    RedisConnection c = subscriber;
    if (c != null) c.close();
  }
}
