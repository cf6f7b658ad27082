package dev.switchboard.access;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.routing.Admission;
import dev.switchboard.routing.Catalog;
import dev.switchboard.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.InstantSource;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What several instances share through Redis ({@code redis:} in the config): rate limits and budget reservations
 * (one atomic script per admission), the key cache (changes published to every instance), and health hints
 * (a deployment ejected by one instance is ejected by all, for the same time). Without
 * {@code redis:} none of this exists and each instance keeps its own, in memory. See docs/operations.md, "Several
 * instances: shared limits and budgets".
 *
 * <p>{@link #start} checks Redis once and returns whether or not it answers; an unreachable Redis is retried in
 * the background, with admission following {@code redis.on_failure} meanwhile. Thread-safe. The caller closes it,
 * before closing the Vert.x instance.
 */
public final class SharedAccess implements AutoCloseable {
  /** The prefix of every Redis key and channel Switchboard uses. */
  public static final String PREFIX = "switchboard";

  /**
   * Whether Redis answers, for the readiness check.
   *
   * @param sinceMillis when it last changed (Unix milliseconds); 0 when Redis has not been reached since the start
   * @param failOpen true when admission goes on with local limits while Redis is down; false when it refuses
   */
  public record RedisState(boolean up, long sinceMillis, boolean failOpen) {}

  private final RedisLink link;
  private final RedisAdmission admission;
  private final KeyBus bus;
  private final boolean failOpen;

  private SharedAccess(RedisLink link, RedisAdmission admission, KeyBus bus, boolean failOpen) {
    this.link = link;
    this.admission = admission;
    this.bus = bus;
    this.failOpen = failOpen;
  }

  /**
   * Connects to Redis (waits at most about two seconds for its first answer) and subscribes to key changes.
   *
   * @param local this instance's own admission: the fallback when Redis is down and {@code on_failure} is open
   * @param catalog whose deployments' ejections are shared as health hints
   */
  public static SharedAccess start(Vertx vertx, SwitchboardConfig.Redis config, Keys keys, Store store,
      AccessControl local, Catalog catalog) {
    RedisLink link = new RedisLink(vertx, config.url());
    String instance = Long.toHexString(ThreadLocalRandom.current().nextLong());
    RedisAdmission admission = new RedisAdmission(vertx, link, PREFIX, store, local, config.failOpen(),
        InstantSource.system());
    KeyBus bus = new KeyBus(vertx, link, keys, PREFIX, instance);
    new SharedHealth(link, bus, catalog, PREFIX).start();
    bus.start();
    link.start();
    return new SharedAccess(link, admission, bus, config.failOpen());
  }

  /** The router's admission: limits and budgets counted in Redis. */
  public Admission admission() {
    return admission;
  }

  /**
   * Asks Redis (one PING, bounded by the link's command timeout) while it is taken for up, then answers the state:
   * an idle instance would otherwise learn of an outage only from its next request. While down, the link's own
   * probes bring it back. Never fails.
   */
  public Future<RedisState> check() {
    if (!link.up()) return Future.succeededFuture(state());
    return link.send(Request.cmd(Command.PING)).transform(ar -> Future.succeededFuture(state()));
  }

  public RedisState state() {
    RedisLink.State s = link.state();
    return new RedisState(s.up(), s.sinceMillis(), failOpen);
  }

  @Override
  public void close() {
    bus.close();
    link.close();
  }
}
