package dev.switchboard.access;

import dev.switchboard.routing.Catalog;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health hints shared through Redis, so that an outage found by one instance is not rediscovered by each: when a
 * deployment's breaker trips here, its ejection is stored ({@code <prefix>:hint:<deployment id>}, expiring with
 * the ejection) and announced on {@code <prefix>:health}; the other instances eject it for the time left, and an
 * instance starting (or reconnecting) reads the hints still standing. A hint only ever ejects for the time the
 * tripping instance chose (at most the breaker's longest ejection, 60 s), then the deployment gets one probe like
 * any ejected deployment: a hint never keeps a healthy deployment out longer. A region is down when most of its
 * deployments are ejected, so region outages travel the same way. Best effort: a hint lost with Redis costs only
 * the rediscovery it was meant to save. Thread-safe.
 */
final class SharedHealth {
  private static final Logger log = LoggerFactory.getLogger(SharedHealth.class);
  private final RedisLink link;
  private final KeyBus bus;
  private final Catalog catalog;
  private final String keyPrefix;
  private final String channel;

  SharedHealth(RedisLink link, KeyBus bus, Catalog catalog, String prefix) {
    this.link = link;
    this.bus = bus;
    this.catalog = catalog;
    this.keyPrefix = prefix + ":hint:";
    this.channel = prefix + ":health";
  }

  /** Call before the bus starts. */
  void start() {
    bus.listen(channel, this::heard, this::readStanding);
    catalog.onEjected(this::tripped);
  }

  private void tripped(String deployment, long millis) {
    if (!link.up() || millis <= 0) return;
    link.send(Request.cmd(Command.SET).arg(keyPrefix + deployment).arg(Long.toString(millis)).arg("PX").arg(millis));
    bus.publish(channel, millis + " " + deployment);
  }

  /** {@code "<ms> <deployment id>"} from another instance. */
  private void heard(String payload) {
    int space = payload.indexOf(' ');
    if (space < 0) return;
    try {
      long millis = Long.parseLong(payload.substring(0, space));
      String deployment = payload.substring(space + 1);
      log.info("deployment {} ejected for {} ms on another instance's word", deployment, millis);
      catalog.hintEjected(deployment, millis);
    } catch (NumberFormatException e) {
      // not ours: ignore
    }
  }

  /** The hints standing now, each for the time it has left. */
  private void readStanding() {
    scan("0");
  }

  private void scan(String cursor) {
    link.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(keyPrefix + "*").arg("COUNT").arg(100))
        .onSuccess(r -> {
          Response keys = r.get(1);
          for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i).toString();
            link.send(Request.cmd(Command.PTTL).arg(key)).onSuccess(ttl -> {
              if (ttl != null && ttl.toLong() > 0) {
                catalog.hintEjected(key.substring(keyPrefix.length()), ttl.toLong());
              }
            });
          }
          String next = r.get(0).toString();
          if (!"0".equals(next)) scan(next);
        });
  }
}
