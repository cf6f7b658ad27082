package dev.switchboard.access;

import dev.switchboard.store.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Creates, changes and revokes teams and keys: writes the store first, then the in-memory {@link KeyRing} the
 * request path reads, so a key works as soon as its creation returns and stops as soon as its revocation does.
 * Methods block on the store: call them from worker threads. Thread-safe (one change at a time).
 */
public final class Keys {
  public static final String DEFAULT_TEAM = "default";

  private final Store store;
  private final KeyRing ring;
  private final SecretBox box;
  private volatile Consumer<String> changed = id -> {};

  private Keys(Store store, KeyRing ring, SecretBox box) {
    this.store = store;
    this.ring = ring;
    this.box = box;
  }

  /** Loads every team and key from {@code store} into a new ring. */
  public static Keys load(Store store, SecretBox box) {
    KeyRing ring = new KeyRing(box);
    for (Team t : store.teams()) ring.put(t);
    for (VirtualKey k : store.keys()) ring.put(k);
    return new Keys(store, ring, box);
  }

  public KeyRing ring() {
    return ring;
  }

  Store store() {
    return store;
  }

  /**
   * Sets the one listener told, after each write, which key ({@code key:<id>}) or team ({@code team:<id>}) changed:
   * with Redis, the other instances hear of it and reload it. Called on the writer's thread; must not block long.
   */
  void onChange(Consumer<String> listener) {
    this.changed = listener;
  }

  /** What to create a key with; null fields take defaults (the default team, no limits, no budget, no expiry). */
  public record KeySpec(String team, String name, Set<String> models, Limits limits, List<Budget> budgets,
      Long expiresMillis, Map<String, String> metadata, boolean sigv4, boolean logContent) {
    /** Without content logging, the default. */
    public KeySpec(String team, String name, Set<String> models, Limits limits, List<Budget> budgets,
        Long expiresMillis, Map<String, String> metadata, boolean sigv4) {
      this(team, name, models, limits, budgets, expiresMillis, metadata, sigv4, false);
    }
  }

  /**
   * A key just made: the only time its secret parts exist outside the client.
   *
   * @param secret the bearer key ({@code sk-sbv-…})
   * @param secretAccessKey the SigV4 secret, or null for a bearer-only key
   */
  public record Issued(VirtualKey key, String secret, String secretAccessKey) {
    @Override
    public String toString() {
      return "Issued[" + key + "]"; // never the secrets
    }
  }

  public synchronized Team createTeam(String name, Limits limits, List<Budget> budgets, Map<String, String> metadata) {
    return createTeam(name, limits, budgets, metadata, false);
  }

  /** As above, with content logging for all the team's keys on or off. */
  public synchronized Team createTeam(String name, Limits limits, List<Budget> budgets, Map<String, String> metadata,
      boolean logContent) {
    requireName(name, "team");
    if (teamNamed(name) != null) throw new Store.StoreConflict("a team named '" + name + "' already exists");
    Team team = new Team(KeyMaker.newTeamId(), name, limits, budgets, metadata, System.currentTimeMillis(),
        logContent);
    store.saveTeam(team);
    ring.put(team);
    changed.accept("team:" + team.id());
    return team;
  }

  /** Replaces a team's limits, budgets and metadata (null keeps what it has). */
  public synchronized Team updateTeam(String idOrName, Limits limits, List<Budget> budgets,
      Map<String, String> metadata) {
    return updateTeam(idOrName, limits, budgets, metadata, null);
  }

  /** As above, and turns content logging for the team's keys on or off ({@code logContent} null keeps it). */
  public synchronized Team updateTeam(String idOrName, Limits limits, List<Budget> budgets,
      Map<String, String> metadata, Boolean logContent) {
    Team t = team(idOrName);
    Team updated = new Team(t.id(), t.name(), limits != null ? limits : t.limits(),
        budgets != null ? budgets : t.budgets(), metadata != null ? metadata : t.metadata(), t.createdMillis(),
        logContent != null ? logContent : t.logContent());
    store.saveTeam(updated);
    ring.put(updated);
    changed.accept("team:" + updated.id());
    return updated;
  }

  public synchronized Issued createKey(KeySpec spec) {
    Team team;
    if (spec.team() == null || spec.team().isBlank() || spec.team().equals(DEFAULT_TEAM)) {
      team = teamNamed(DEFAULT_TEAM);
      if (team == null) team = createTeam(DEFAULT_TEAM, null, null, null);
    } else {
      team = team(spec.team());
    }
    String name = spec.name() == null || spec.name().isBlank() ? "key" : spec.name().trim();
    String id = KeyMaker.newId();
    String secret = KeyMaker.newKey(id);
    String accessKeyId = null;
    String secretAccessKey = null;
    String sealed = null;
    if (spec.sigv4()) {
      accessKeyId = KeyMaker.newAccessKeyId();
      secretAccessKey = KeyMaker.newSecretAccessKey();
      sealed = box.seal(secretAccessKey);
    }
    VirtualKey key = new VirtualKey(id, team.id(), name, KeyMaker.prefixOf(id), KeyMaker.hash(secret), spec.models(),
        spec.limits(), spec.budgets(), spec.expiresMillis(), spec.metadata(), true, System.currentTimeMillis(),
        accessKeyId, sealed, spec.logContent());
    store.saveKey(key);
    ring.put(key);
    changed.accept("key:" + key.id());
    return new Issued(key, secret, secretAccessKey);
  }

  /** Changes a key's settings; a null argument keeps what it has. */
  public synchronized VirtualKey updateKey(String idOrPrefix, Set<String> models, Limits limits, List<Budget> budgets,
      Long expiresMillis, Map<String, String> metadata, Boolean enabled) {
    return updateKey(idOrPrefix, models, limits, budgets, expiresMillis, metadata, enabled, null);
  }

  /** As above, and turns content logging on or off ({@code logContent} null keeps it). */
  public synchronized VirtualKey updateKey(String idOrPrefix, Set<String> models, Limits limits, List<Budget> budgets,
      Long expiresMillis, Map<String, String> metadata, Boolean enabled, Boolean logContent) {
    VirtualKey k = key(idOrPrefix);
    VirtualKey updated = new VirtualKey(k.id(), k.teamId(), k.name(), k.prefix(), k.hash(),
        models != null ? models : k.models(), limits != null ? limits : k.limits(),
        budgets != null ? budgets : k.budgets(), expiresMillis != null ? expiresMillis : k.expiresMillis(),
        metadata != null ? metadata : k.metadata(), enabled != null ? enabled : k.enabled(), k.createdMillis(),
        k.accessKeyId(), k.sealedSecret(), logContent != null ? logContent : k.logContent());
    store.saveKey(updated);
    ring.put(updated);
    changed.accept("key:" + updated.id());
    return updated;
  }

  /** Revokes a key for good: requests with it are refused from now on. */
  public synchronized VirtualKey revoke(String idOrPrefix) {
    return updateKey(idOrPrefix, null, null, null, null, null, false);
  }

  /**
   * Re-reads every team and key from the store and puts those that differ into the ring: how an instance learns of
   * changes made by another one. Under the same lock as the writes, so that a read older than a write made here
   * cannot overwrite it. Blocks on the store.
   *
   * @return how many teams and keys changed
   */
  synchronized int reload() {
    int changed = 0;
    for (Team t : store.teams()) {
      if (!t.equals(ring.team(t.id()))) {
        ring.put(t);
        changed++;
      }
    }
    for (VirtualKey k : store.keys()) {
      if (!k.equals(ring.key(k.id()))) {
        ring.put(k);
        changed++;
      }
    }
    return changed;
  }

  /** A key by id, prefix ({@code sk-sbv-<id>}) or the SigV4 access key id. */
  public VirtualKey key(String ref) {
    String r = ref == null ? "" : ref.trim();
    if (r.startsWith(KeyMaker.PREFIX)) r = r.substring(KeyMaker.PREFIX.length());
    if (r.length() > KeyMaker.ID_LENGTH && r.startsWith("SBAK")) {
      VirtualKey k = ring.keyByAccessKeyId(r);
      if (k != null) return k;
    }
    if (r.length() > KeyMaker.ID_LENGTH) r = r.substring(0, KeyMaker.ID_LENGTH);
    VirtualKey k = ring.key(r);
    if (k == null) throw new NotFound("no key '" + ref + "'; 'switchboard keys list' shows the keys");
    return k;
  }

  /** A team by id or name. */
  public Team team(String ref) {
    Team t = ring.team(ref);
    if (t == null) t = teamNamed(ref);
    if (t == null) throw new NotFound("no team '" + ref + "'; 'switchboard teams list' shows the teams");
    return t;
  }

  public List<Team> teams() {
    List<Team> out = new ArrayList<>(ring.teams());
    out.sort(Comparator.comparingLong(Team::createdMillis).thenComparing(Team::id));
    return out;
  }

  /** Keys, newest last; of one team when {@code team} is not null. */
  public List<VirtualKey> keys(String team) {
    String teamId = team == null ? null : team(team).id();
    List<VirtualKey> out = new ArrayList<>();
    for (VirtualKey k : ring.keys()) if (teamId == null || k.teamId().equals(teamId)) out.add(k);
    out.sort(Comparator.comparingLong(VirtualKey::createdMillis).thenComparing(VirtualKey::id));
    return out;
  }

  private Team teamNamed(String name) {
    for (Team t : ring.teams()) if (t.name().equals(name)) return t;
    return null;
  }

  private static void requireName(String name, String what) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException("a " + what + " needs a name of 1 to 100 characters");
    }
  }

  /** A team or key that does not exist; the message says how to list them. */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message);
    }
  }
}
