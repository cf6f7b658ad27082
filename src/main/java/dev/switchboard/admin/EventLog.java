package dev.switchboard.admin;

import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Deployment;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recent routing events for the dashboard's timeline: a deployment's circuit opening (ejected, for how long) and a
 * region going down (every deployment in it ejected at once). In memory, the newest {@value #CAPACITY} only, lost
 * on restart. Fed by {@link Catalog#onEjected}, which fires only on trips, so the lock here is off the request
 * path. Thread-safe.
 */
public final class EventLog {
  static final int CAPACITY = 200;

  private final InstantSource clock;
  private final Map<String, String> regionOf = new HashMap<>();
  private final Map<String, List<String>> inRegion = new HashMap<>();
  private final Map<String, Long> ejectedUntil = new HashMap<>();
  private final Map<String, Long> regionDownUntil = new HashMap<>();
  private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();

  /** Listens to {@code catalog}'s breakers from now on. */
  public EventLog(Catalog catalog, InstantSource clock) {
    this.clock = clock;
    for (Catalog.Route route : catalog.routes()) {
      for (Deployment d : route.deployments()) {
        if (d.region() == null || regionOf.containsKey(d.id())) continue;
        regionOf.put(d.id(), d.region());
        inRegion.computeIfAbsent(d.region(), r -> new ArrayList<>()).add(d.id());
      }
    }
    catalog.onEjected(this::ejected);
  }

  synchronized void ejected(String deployment, long millis) {
    long now = clock.millis();
    String region = regionOf.get(deployment);
    ejectedUntil.put(deployment, now + millis);
    Map<String, Object> e = event(now, "circuit_open", region);
    e.put("deployment", deployment);
    e.put("ejected_ms", millis);
    add(e);
    if (region == null || regionDownUntil.getOrDefault(region, 0L) > now) return;
    long until = Long.MAX_VALUE;
    for (String id : inRegion.get(region)) until = Math.min(until, ejectedUntil.getOrDefault(id, 0L));
    if (until <= now) return;
    regionDownUntil.put(region, until);
    Map<String, Object> down = event(now, "region_down", region);
    down.put("deployments", inRegion.get(region).size());
    add(down);
  }

  /** The newest events first, at most {@code limit}. */
  public synchronized List<Map<String, Object>> recent(int limit) {
    List<Map<String, Object>> out = new ArrayList<>(Math.min(limit, events.size()));
    for (var it = events.descendingIterator(); it.hasNext() && out.size() < limit; ) out.add(it.next());
    return out;
  }

  private static Map<String, Object> event(long now, String type, String region) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("time", Instant.ofEpochMilli(now).toString());
    e.put("type", type);
    e.put("region", region);
    return e;
  }

  private void add(Map<String, Object> e) {
    if (events.size() == CAPACITY) events.removeFirst();
    events.addLast(e);
  }
}
