package dev.switchboard.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human units used in the config file: durations ({@code 500ms}, {@code 30s}, {@code 2m}) and sizes ({@code 10MiB}). */
final class Units {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

  private Units() {}

  /** Returns null when the text is not a duration. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) return null;
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** Returns -1 when the text is not a size. */
  static long size(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) return -1;
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    return switch (unit) {
      case "kb" -> n * 1000;
      case "kib" -> n * 1024;
      case "mb" -> n * 1000_000;
      case "mib" -> n * 1024 * 1024;
      case "gb" -> n * 1000_000_000;
      case "gib" -> n * 1024L * 1024 * 1024;
      default -> n;
    };
  }
}
