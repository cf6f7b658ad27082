package dev.switchboard.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Region-level health: a region where most deployments (at least two) are ejected is taken as down, so its
 * remaining deployments get traffic only after every other region's, before each trips on its own. Built with
 * the catalog; thread-safe (reads the deployments' thread-safe breakers).
 */
final class Regions {
  private final Map<String, List<Health>> byRegion;

  Regions(Map<String, List<Health>> byRegion) {
    this.byRegion = byRegion;
  }

  static Regions of(Iterable<Catalog.Route> routes) {
    Map<String, List<Health>> m = new HashMap<>();
    for (Catalog.Route r : routes) {
      for (Deployment d : r.deployments()) {
        List<Health> list = m.computeIfAbsent(d.region(), k -> new ArrayList<>());
        if (!list.contains(d.health)) list.add(d.health);
      }
    }
    return new Regions(m);
  }

  boolean isDown(String region) {
    List<Health> hs = byRegion.get(region);
    if (hs == null || hs.size() < 2) return false;
    int open = 0;
    for (Health h : hs) if (h.breaker.isOpen()) open++;
    return open * 2 > hs.size();
  }
}
