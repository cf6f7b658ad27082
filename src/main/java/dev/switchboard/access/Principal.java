package dev.switchboard.access;

/**
 * Who sent a request: the administrator (master key), or a virtual key and its team.
 *
 * @param key null for the master key
 * @param team null for the master key
 */
public record Principal(VirtualKey key, Team team) {
  public static final Principal MASTER = new Principal(null, null);

  public boolean master() {
    return key == null;
  }

  /** True when this caller may use {@code model}: always for the master key, else by the key's allow-list. */
  public boolean allows(String model) {
    return key == null || key.allows(model);
  }

  public String keyId() {
    return key == null ? null : key.id();
  }

  public String teamId() {
    return team == null ? null : team.id();
  }
}
