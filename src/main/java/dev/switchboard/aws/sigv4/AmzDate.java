package dev.switchboard.aws.sigv4;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The {@code X-Amz-Date} form, ISO 8601 basic in UTC: {@code 20150830T123600Z}. Thread-safe. */
final class AmzDate {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private AmzDate() {}

  static String format(Instant instant) {
    return FORMAT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Parses exactly {@code yyyyMMdd'T'HHmmss'Z'}; returns null for anything else, including impossible dates. */
  static Instant parse(String value) {
    if (value.length() != 16 || value.charAt(8) != 'T' || value.charAt(15) != 'Z') return null;
    for (int i = 0; i < 15; i++) {
      if (i != 8 && (value.charAt(i) < '0' || value.charAt(i) > '9')) return null;
    }
    try {
      return LocalDateTime.of(num(value, 0, 4), num(value, 4, 6), num(value, 6, 8),
          num(value, 9, 11), num(value, 11, 13), num(value, 13, 15)).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int num(String s, int from, int to) {
    return Integer.parseInt(s, from, to, 10);
  }
}
