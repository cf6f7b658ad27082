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
 * Recent routing events for the dashboard's timeline: a deployment's circuit opening (ejected, for how long) and
 * closing again, a region going down (every deployment in it tripped and none closed again yet) and coming back (one of them
 * restored). In memory, the newest {@value #CAPACITY} only, lost on restart. Fed by {@link Catalog#onEjected} and
 * {@link Catalog#onRestored}, which fire only on state changes, so the lock here is off the request path.
 * Thread-safe.
 */
public final class EventLog {
  static final int CAPACITY = 200;

  private final InstantSource clock;
  private final Map<String, String> regionOf = new HashMap<>();
  private final Map<String, List<String>> inRegion = new HashMap<>();
  private final java.util.Set<String> open = new java.util.HashSet<>(); // tripped, not yet closed again
  private final java.util.Set<String> regionsDown = new java.util.HashSet<>();
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
    catalog.onRestored(this::restored);
  }

  synchronized void ejected(String deployment, long millis) {
    long now = clock.millis();
    String region = regionOf.get(deployment);
    open.add(deployment);
    Map<String, Object> e = event(now, "circuit_open", region);
    e.put("deployment", deployment);
    e.put("ejected_ms", millis);
    add(e);
    if (region == null || regionsDown.contains(region)) return;
    if (!open.containsAll(inRegion.get(region))) return;
    regionsDown.add(region);
    Map<String, Object> down = event(now, "region_down", region);
    down.put("deployments", inRegion.get(region).size());
    add(down);
  }

  synchronized void restored(String deployment) {
    long now = clock.millis();
    String region = regionOf.get(deployment);
    open.remove(deployment);
    Map<String, Object> e = event(now, "circuit_closed", region);
    e.put("deployment", deployment);
    add(e);
    if (region != null && regionsDown.remove(region)) add(event(now, "region_up", region));
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
