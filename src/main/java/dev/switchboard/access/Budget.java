package dev.switchboard.access;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * A hard spending limit in USD over a period. Periods are calendar periods in UTC: a daily budget starts again
 * at 00:00 UTC, a monthly one on the 1st; a total budget never starts again.
 */
public record Budget(BigDecimal usd, Period period) {
  public enum Period {
    DAY, MONTH, TOTAL;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Period parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "day", "daily" -> DAY;
        case "month", "monthly" -> MONTH;
        case "total", "lifetime" -> TOTAL;
        default -> throw new IllegalArgumentException("budget period '" + s + "' is not one of day, month, total");
      };
    }

    /** The start of the period containing {@code atMillis}, in Unix milliseconds (0 for TOTAL). */
    public long start(long atMillis) {
      LocalDate day = Instant.ofEpochMilli(atMillis).atZone(ZoneOffset.UTC).toLocalDate();
      return switch (this) {
        case DAY -> day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        case MONTH -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        case TOTAL -> 0;
      };
    }

    /** The start of the next period after the one containing {@code atMillis} (Long.MAX_VALUE for TOTAL). */
    public long end(long atMillis) {
      LocalDate day = Instant.ofEpochMilli(atMillis).atZone(ZoneOffset.UTC).toLocalDate();
      return switch (this) {
        case DAY -> day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        case MONTH -> day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        case TOTAL -> Long.MAX_VALUE;
      };
    }
  }

  public Budget {
    if (usd == null || usd.signum() < 0) throw new IllegalArgumentException("a budget is a non-negative USD amount");
    if (period == null) throw new IllegalArgumentException("a budget needs a period: day, month or total");
  }

  /**
   * Parses {@code 5}, {@code 5/day}, {@code 100/month} or {@code 20/total} (a bare amount is a monthly budget).
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static Budget parse(String s) {
    String[] parts = s.trim().replace("$", "").split("/", 2);
    BigDecimal amount;
    try {
      amount = new BigDecimal(parts[0].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("budget '" + s + "' is not an amount in USD like 5/day, 100/month or 20/total");
    }
    return new Budget(amount, parts.length > 1 ? Period.parse(parts[1]) : Period.MONTH);
  }

  @Override
  public String toString() {
    return usd.toPlainString() + "/" + period.label();
  }
}
