package dev.switchboard.util;

/**
 * Eager argument checks whose messages name the field, the value and the rule (Netty's
 * {@code "name : value (expected: …)"} form). Those that check one value return it, so a constructor reads
 * {@code this.port = Checks.between(port, 0, 65535, "port")}.
 */
public final class Checks {
  private Checks() {}

  public static void argument(boolean ok, String format, Object... args) {
    if (!ok) throw new IllegalArgumentException(String.format(format, args));
  }

  public static int between(int value, int min, int max, String name) {
    argument(value >= min && value <= max, "%s : %s (expected: %s..%s)", name, value, min, max);
    return value;
  }

  public static String notBlank(String value, String name) {
    argument(value != null && !value.isBlank(), "%s : %s (expected: a non-blank string)", name, value);
    return value;
  }
}
