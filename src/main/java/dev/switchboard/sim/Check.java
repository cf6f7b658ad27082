package dev.switchboard.sim;

/** Argument checks that name the field, the value and the rule; they return the value so constructors stay one line each. */
final class Check {
  private Check() {}

  static void argument(boolean ok, String format, Object... args) {
    if (!ok) throw new IllegalArgumentException(String.format(format, args));
  }

  static int between(int value, int min, int max, String name) {
    argument(value >= min && value <= max, "%s : %s (expected: %s..%s)", name, value, min, max);
    return value;
  }

  static String notBlank(String value, String name) {
    argument(value != null && !value.isBlank(), "%s : %s (expected: a non-blank string)", name, value);
    return value;
  }
}
