package dev.switchboard.access;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to Redis and what is known of its health. Commands go over one connection, pipelined: Redis runs
 * them in the order they were sent, so the settlement of a request (sent when it ends, before its client has its
 * answer) always runs before the admission of the client's next request; a pool of connections would not keep
 * that order. Every command is bounded by {@link #COMMAND_TIMEOUT_MS};
 * one that fails for want of Redis (refused, reset, timed out) marks Redis down, and while it is down commands
 * fail at once without trying, so that admission answers fast (a 503, or this instance's own limits). A probe
 * (PING, with a backoff from 100 ms to 5 s) marks it up again. Each transition is logged once. A command that Redis
 * answers with an error (a bad script) leaves it up.
 *
 * <p>Thread-safe; non-blocking. Futures complete on a Redis connection's context, not the caller's: callers that
 * need their own event loop hop back to it.
 */
final class RedisLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
  /**
   * A loopback or same-zone Redis answers in well under a millisecond; this long means it is not answering. Not
   * shorter: the timer runs on the same busy event loops as the answer it waits for, so a burst on a loaded
   * machine can delay a prompt answer past it. With 250 ms, then 1 s, a burst of 500 requests on a cold JVM on two
   * busy cores (CI's fresh clone) had Redis wrongly taken for down and requests refused with 503. A refused or reset
   * connection — a dead Redis — is noticed at once; only a hung one takes this long.
   */
  static final long COMMAND_TIMEOUT_MS = 5_000;
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  /** Whether Redis answers, and since when (Unix milliseconds). */
  record State(boolean up, long sinceMillis) {}

  /** A Lua script, run by its SHA-1 and sent whole only when Redis does not have it (first use, after a restart). */
  record Script(String name, String source, String sha) {
    static Script load(String resource) {
      try (InputStream in = RedisLink.class.getResourceAsStream("/redis/" + resource)) {
        if (in == null) throw new IllegalStateException("missing resource /redis/" + resource);
        String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        byte[] sha = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
        return new Script(resource, source, HexFormat.of().formatHex(sha));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Vertx vertx;
  private final Redis client;
  private final String where;
  private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();
  private volatile State state;
  private volatile boolean closed;
  /** Guarded by {@code this}. */
  private boolean probing;
  /** The connection commands go over; null while there is none (Redis down). */
  private volatile RedisConnection connection;

  RedisLink(Vertx vertx, String url) {
    this.vertx = vertx;
    this.where = url.replaceAll("//[^@/]*@", "//***@"); // never the password
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(4)
        .setMaxWaitingHandlers(65_536).setNetClientOptions(new NetClientOptions().setConnectTimeout(1_000)
            .setTcpNoDelay(true)));
    this.state = new State(false, 0); // 0: never reached yet
  }

  /** Checks Redis once (waits at most about a second): logs and starts probing when it does not answer. */
  void start() {
    try {
      connect().await(2 * COMMAND_TIMEOUT_MS + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      markUp();
    } catch (Exception e) {
      synchronized (this) {
        if (state.sinceMillis() == 0) state = new State(false, System.currentTimeMillis());
      }
      log.warn("Redis at {} does not answer ({}); retrying in the background", where, describe(e));
      down(e);
    }
  }

  State state() {
    return state;
  }

  boolean up() {
    return state.up();
  }

  Redis client() {
    return client;
  }

  String where() {
    return where;
  }

  /** Runs {@code action} (on a Redis context) each time Redis comes back, and once now if it is up. */
  void whenUp(Runnable action) {
    upListeners.add(action);
  }

  /** Runs a script with these keys and arguments. Fails at once while Redis is known to be down. */
  Future<Response> eval(Script script, List<String> keys, List<String> args) {
    if (!state.up()) return Future.failedFuture("Redis at " + where + " is unreachable");
    return send(call(Command.EVALSHA, script.sha(), keys, args)).recover(e -> {
      if (e instanceof Response r && r.toString().startsWith("NOSCRIPT")) {
        return send(call(Command.EVAL, script.source(), keys, args));
      }
      return Future.failedFuture(e);
    });
  }

  /** One command, bounded by the timeout; a failure other than Redis's own error reply marks Redis down. */
  Future<Response> send(Request request) {
    RedisConnection c = connection;
    if (c == null) return Future.failedFuture("Redis at " + where + " is unreachable");
    Promise<Response> answer = Promise.promise();
    long timer = vertx.setTimer(COMMAND_TIMEOUT_MS, t -> answer.tryFail(new java.util.concurrent.TimeoutException(
        "Redis at " + where + " did not answer within " + COMMAND_TIMEOUT_MS + " ms")));
    c.send(request).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) answer.tryComplete(ar.result());
      else answer.tryFail(ar.cause());
    });
    return answer.future().onFailure(e -> {
      if (!(e instanceof Response)) lost(c, e);
    });
  }

  /** A new connection for commands, PINGed; it becomes the one commands go over. */
  private Future<RedisConnection> connect() {
    return client.connect().compose(c -> {
      c.exceptionHandler(e -> lost(c, e));
      c.endHandler(v -> lost(c, new IllegalStateException("connection closed")));
      return c.send(Request.cmd(Command.PING)).map(pong -> c).onFailure(e -> c.close());
    }).onSuccess(c -> {
      RedisConnection before = connection;
      connection = c;
      if (before != null && before != c) before.close();
    });
  }

  /** The connection failed or stopped answering: dropped (a half-dead one would hold every command), Redis down. */
  private void lost(RedisConnection c, Throwable cause) {
    synchronized (this) {
      if (connection != c) return;
      connection = null;
    }
    c.close();
    down(cause);
  }

  private static Request call(Command command, String script, List<String> keys, List<String> args) {
    Request r = Request.cmd(command).arg(script).arg(keys.size());
    for (String k : keys) r.arg(k);
    for (String a : args) r.arg(a);
    return r;
  }

  private void markUp() {
    State before = state;
    if (before.up()) return;
    synchronized (this) {
      if (state.up()) return;
      state = new State(true, System.currentTimeMillis());
    }
    if (before.sinceMillis() == 0) {
      log.info("Redis at {} answers: limits and budgets are shared through it", where);
    } else {
      log.info("Redis at {} answers again after {} s: shared limits and budgets resume", where,
          (System.currentTimeMillis() - before.sinceMillis()) / 1000);
    }
    for (Runnable r : upListeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("after Redis came back: {}", e.toString());
      }
    }
  }

  private void down(Throwable cause) {
    if (closed) return;
    synchronized (this) {
      if (state.up()) {
        state = new State(false, System.currentTimeMillis());
        log.warn("Redis at {} is unreachable ({}): admission {} until it answers again", where, describe(cause),
            "follows redis.on_failure");
      }
      if (probing) return;
      probing = true;
    }
    probe(FIRST_BACKOFF_MS);
  }

  private void probe(long delay) {
    if (closed) return;
    vertx.setTimer(delay, t -> connect().onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (this) {
          probing = false;
        }
        markUp();
      } else {
        probe(Math.min(MAX_BACKOFF_MS, delay * 2));
      }
    }));
  }

  private static String describe(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }

  @Override
  public void close() {
    closed = true;
    RedisConnection c = connection;
    if (c != null) c.close();
    client.close();
  }
}
