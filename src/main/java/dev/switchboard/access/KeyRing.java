package dev.switchboard.access;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys and teams the request path checks, held in memory so that authentication never touches the store:
 * loaded at start and kept current by {@link Keys}, which writes the store first. SigV4 secrets are held here
 * decrypted, since every signature check needs them. Thread-safe; reads take no locks.
 */
public final class KeyRing {
  private static final Logger log = LoggerFactory.getLogger(KeyRing.class);
  private final Map<String, VirtualKey> byId = new ConcurrentHashMap<>();
  private final Map<String, VirtualKey> byAccessKeyId = new ConcurrentHashMap<>();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, Team> teams = new ConcurrentHashMap<>();
  private final SecretBox box;
  private volatile Watcher watcher;

  /**
   * Hears of each key and team about to be put in the ring, on the writer's thread (a worker, never an event loop),
   * before requests can see it: the budget book loads a new budget's spend there.
   */
  interface Watcher {
    void changing(VirtualKey key);

    void changing(Team team);
  }

  public KeyRing(SecretBox box) {
    this.box = box;
  }

  public VirtualKey key(String id) {
    return byId.get(id);
  }

  public VirtualKey keyByAccessKeyId(String accessKeyId) {
    return byAccessKeyId.get(accessKeyId);
  }

  /** The decrypted SigV4 secret of {@code accessKeyId}, or null. */
  public String secret(String accessKeyId) {
    return secrets.get(accessKeyId);
  }

  public Team team(String id) {
    return id == null ? null : teams.get(id);
  }

  public Collection<VirtualKey> keys() {
    return byId.values();
  }

  public Collection<Team> teams() {
    return teams.values();
  }

  /** Sets the one watcher; keys and teams put from now on are shown to it first. */
  void watch(Watcher w) {
    this.watcher = w;
  }

  void put(Team team) {
    Watcher w = watcher;
    if (w != null) w.changing(team);
    teams.put(team.id(), team);
  }

  void remove(Team team) {
    teams.remove(team.id());
  }

  void put(VirtualKey key) {
    Watcher w = watcher;
    if (w != null) w.changing(key);
    byId.put(key.id(), key);
    if (key.accessKeyId() != null) {
      if (!secrets.containsKey(key.accessKeyId())) open(key);
      byAccessKeyId.put(key.accessKeyId(), key);
    }
  }

  /**
   * A SigV4 secret sealed under another encryption key (the key was replaced or lost) leaves its pair unusable, and
   * only that: the key's bearer form is checked against a hash and goes on working, and the gateway starts, so the
   * administrator can revoke the pair and issue a new one. Signatures made with it are refused as an unknown client.
   */
  private void open(VirtualKey key) {
    try {
      secrets.put(key.accessKeyId(), box.open(key.sealedSecret()));
    } catch (IllegalArgumentException e) {
      if (!key.enabled()) return; // revoked: refused anyway, nothing to do about it
      log.error("the SigV4 secret of key {} ({}, access key id {}) does not open with the encryption key from {}: its "
          + "SigV4 requests are refused until the gateway starts with the key that sealed it; if that key is lost, "
          + "revoke this key and issue a new one", key.prefix(), key.name(), key.accessKeyId(), box.origin());
    }
  }
}
