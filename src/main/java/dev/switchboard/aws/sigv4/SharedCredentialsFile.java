package dev.switchboard.aws.sigv4;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the profiles of an AWS shared credentials file ({@code ~/.aws/credentials}): {@code [name]} sections of
 * {@code key = value} lines, {@code #} and {@code ;} comments (whole lines, or after whitespace at the end of a value),
 * property names case-insensitive. Indented continuation lines (nested properties) are skipped. A section named twice
 * is merged, later values winning, as the AWS SDKs do. Lines outside any section are ignored.
 */
final class SharedCredentialsFile {
  private SharedCredentialsFile() {}

  /** Profile name to its properties (lower-case names), in file order. */
  static Map<String, Map<String, String>> parse(String content) {
    Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : content.split("\r?\n|\r", -1)) {
      if (!line.isEmpty() && Character.isWhitespace(line.charAt(0)) && !line.isBlank()) continue;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
      if (l.startsWith("[")) {
        int close = l.indexOf(']');
        String name = close < 0 ? "" : l.substring(1, close).strip();
        current = name.isEmpty() ? null : profiles.computeIfAbsent(name, k -> new LinkedHashMap<>());
        continue;
      }
      int eq = l.indexOf('=');
      if (current == null || eq <= 0) continue;
      current.put(l.substring(0, eq).strip().toLowerCase(Locale.ROOT), stripComment(l.substring(eq + 1)).strip());
    }
    return profiles;
  }

  private static String stripComment(String value) {
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c == '#' || c == ';') && Character.isWhitespace(value.charAt(i - 1))) return value.substring(0, i);
    }
    return value;
  }
}
