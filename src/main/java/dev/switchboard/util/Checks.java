package dev.switchboard.util;

/** Eager argument checks whose messages name the field, the value and the rule. They return the value. */
public final class Checks {
  private Checks() {}

  public static <T> T notNull(T value, String name) {
    if (value == null) throw new IllegalArgumentException(name + " must not be null");
    return value;
  }

  public static long positive(long value, String name) {
    if (value <= 0) throw new IllegalArgumentException(name + " : " + value + " (expected: > 0)");
    return value;
  }

  public static String notBlank(String value, String name) {
    if (value == null || value.isBlank()) throw new IllegalArgumentException(name + " must not be blank");
    return value;
  }
}
