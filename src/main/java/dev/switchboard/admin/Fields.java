package dev.switchboard.admin;

import dev.switchboard.access.Budget;
import dev.switchboard.access.Limits;
import dev.switchboard.routing.Catalog;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;

/**
 * Reads the fields of admin request bodies. Every refusal is a {@link BadInput} naming the field (dotted inside
 * objects, e.g. {@code limits.rpm}), the value and what would be accepted. Stateless.
 */
final class Fields {
  private static final Pattern SPAN = Pattern.compile("(\\d+)\\s*(m|min|h|d|w)");

  private Fields() {}

  /** The body as a JSON object, {@code example} showing what one looks like when it is not. */
  static JsonNode object(Buffer body, String example) {
    JsonNode node;
    try {
      node = body == null || body.length() == 0 ? null
          : Json.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(body.getBytes());
    } catch (JacksonException e) {
      throw new BadInput(null, "The body is not valid JSON (" + e.getOriginalMessage() + "). Send an object like "
          + example + ".");
    }
    if (node == null || !node.isObject()) throw new BadInput(null, "The body must be a JSON object like " + example + ".");
    return node;
  }

  /** Refuses fields outside {@code allowed}: a misspelt field would otherwise be silently ignored. */
  static void only(JsonNode object, String prefix, Set<String> allowed, String why) {
    for (String name : object.propertyNames()) {
      if (!allowed.contains(name)) {
        throw new BadInput(prefix + name, "Unknown field '" + prefix + name + "'" + (why == null ? "" : " (" + why + ")")
            + "; the fields are " + String.join(", ", allowed) + ".");
      }
    }
  }

  /** A string field; null when absent or null. */
  static String string(JsonNode object, String field) {
    JsonNode n = object.get(field);
    if (n == null || n.isNull()) return null;
    if (!n.isString()) throw new BadInput(field, "'" + field + "' must be a string, not " + n + ".");
    return n.stringValue().trim();
  }

  static String name(JsonNode object, String what) {
    String name = string(object, "name");
    if (name == null || name.isEmpty() || name.length() > 100) {
      throw new BadInput("name", "A " + what + " needs a 'name' of 1 to 100 characters.");
    }
    return name;
  }

  static Boolean bool(JsonNode object, String field) {
    JsonNode n = object.get(field);
    if (n == null || n.isNull()) return null;
    if (!n.isBoolean()) throw new BadInput(field, "'" + field + "' must be true or false, not " + n + ".");
    return n.booleanValue();
  }

  /**
   * {@code {"rpm":60,"tpm":100000,"concurrency":4}} laid over {@code base}: a field present replaces the base's
   * value, {@code null} removes it, an absent one keeps it. {@code null} for the whole object removes every limit.
   */
  static Limits limits(JsonNode n, Limits base) {
    if (n.isNull()) return Limits.NONE;
    if (!n.isObject()) {
      throw new BadInput("limits", "'limits' must be an object like {\"rpm\": 60, \"tpm\": 100000, "
          + "\"concurrency\": 4}, not " + n + ".");
    }
    only(n, "limits.", new LinkedHashSet<>(List.of("rpm", "tpm", "concurrency")), null);
    return new Limits(limit(n, "rpm", base.rpm()), limit(n, "tpm", base.tpm()),
        limit(n, "concurrency", base.concurrency()));
  }

  private static Integer limit(JsonNode limits, String field, Integer base) {
    if (!limits.has(field)) return base;
    JsonNode n = limits.get(field);
    if (n.isNull()) return null;
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
      throw new BadInput("limits." + field, "'limits." + field + "' must be a positive whole number, or null for no "
          + "limit, not " + n + ".");
    }
    return n.intValue();
  }

  /** {@code ["5/day", {"usd": "100", "period": "month"}]}, or one budget on its own; at most one per period. */
  static List<Budget> budgets(JsonNode n) {
    if (n.isNull()) return List.of();
    List<JsonNode> items = new ArrayList<>();
    if (n.isArray()) n.values().forEach(items::add);
    else items.add(n);
    List<Budget> out = new ArrayList<>();
    Set<Budget.Period> periods = EnumSet.noneOf(Budget.Period.class);
    for (JsonNode item : items) {
      Budget b = budget(item);
      if (!periods.add(b.period())) {
        throw new BadInput("budgets", "'budgets' has two budgets for the period " + b.period().label()
            + "; keep one per period (day, month, total).");
      }
      out.add(b);
    }
    return out;
  }

  private static Budget budget(JsonNode item) {
    try {
      if (item.isString()) return Budget.parse(item.stringValue());
      if (item.isObject()) {
        only(item, "budgets[].", new LinkedHashSet<>(List.of("usd", "period")), null);
        JsonNode usd = item.path("usd");
        BigDecimal amount = usd.isNumber() ? usd.decimalValue()
            : usd.isString() ? new BigDecimal(usd.stringValue().trim()) : null;
        if (amount == null) throw new IllegalArgumentException("a budget needs 'usd', an amount in USD");
        JsonNode period = item.path("period");
        return new Budget(amount, period.isString() ? Budget.Period.parse(period.stringValue()) : Budget.Period.MONTH);
      }
    } catch (IllegalArgumentException e) { // also NumberFormatException
      throw new BadInput("budgets", "'budgets' has " + item + ": " + e.getMessage() + ". Write budgets like "
          + "[\"5/day\", \"100/month\"] or [{\"usd\": \"5\", \"period\": \"day\"}].");
    }
    throw new BadInput("budgets", "'budgets' has " + item + "; write budgets like [\"5/day\", \"100/month\"] or "
        + "[{\"usd\": \"5\", \"period\": \"day\"}].");
  }

  /** Logical model names the catalog serves; an empty list allows every model. */
  static Set<String> models(JsonNode n, Catalog catalog) {
    List<String> names = new ArrayList<>();
    if (n.isNull()) return Set.of();
    if (n.isString()) {
      for (String s : n.stringValue().split(",")) if (!s.isBlank()) names.add(s.trim());
    } else if (n.isArray()) {
      for (JsonNode m : n.values()) {
        if (!m.isString() || m.stringValue().isBlank()) {
          throw new BadInput("models", "'models' must be a list of model names, and " + m + " is not one.");
        }
        names.add(m.stringValue().trim());
      }
    } else {
      throw new BadInput("models", "'models' must be a list of model names like [\"gpt-4o\"] (empty for every "
          + "model), not " + n + ".");
    }
    for (String m : names) {
      if (catalog.resolve(m) == null) {
        throw new BadInput("models", "'models' names '" + m + "', which this gateway does not serve; its models are "
            + String.join(", ", catalog.names()) + ".");
      }
    }
    return new LinkedHashSet<>(names);
  }

  /** Free-form string labels; numbers and booleans are kept as their text. */
  static Map<String, String> metadata(JsonNode n) {
    if (n.isNull()) return Map.of();
    if (!n.isObject()) throw new BadInput("metadata", "'metadata' must be an object of strings, not " + n + ".");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw new BadInput("metadata." + e.getKey(), "'metadata." + e.getKey() + "' must be a string, not " + v + ".");
      }
      out.put(e.getKey(), v.asString());
    }
    return out;
  }

  /**
   * When a key stops working, in Unix milliseconds: an ISO-8601 instant ({@code 2026-12-31T23:59:59Z}), a date
   * (00:00 UTC that day), a span from now ({@code 90m}, {@code 12h}, {@code 30d}, {@code 2w}) or an ISO-8601 duration
   * ({@code P30D}). It must lie in the future.
   */
  static long expires(JsonNode n, long nowMillis) {
    if (!n.isString() || n.stringValue().isBlank()) {
      throw new BadInput("expires", "'expires' must be a string: a span like \"30d\", an ISO-8601 instant like "
          + "\"2026-12-31T23:59:59Z\", or a date, not " + n + ".");
    }
    String text = n.stringValue().trim();
    long at = parseExpiry(text, nowMillis);
    if (at <= nowMillis) {
      throw new BadInput("expires", "'expires' is " + text + ", which is not in the future.");
    }
    return at;
  }

  private static long parseExpiry(String text, long nowMillis) {
    Matcher m = SPAN.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long count = Long.parseLong(m.group(1));
      Duration unit = switch (m.group(2)) {
        case "m", "min" -> Duration.ofMinutes(1);
        case "h" -> Duration.ofHours(1);
        case "d" -> Duration.ofDays(1);
        default -> Duration.ofDays(7);
      };
      return nowMillis + unit.multipliedBy(count).toMillis();
    }
    try {
      if (text.startsWith("P") || text.startsWith("p")) return nowMillis + Duration.parse(text).toMillis();
      if (text.length() == 10) return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      if (text.endsWith("Z") || text.endsWith("z")) return Instant.parse(text.toUpperCase(Locale.ROOT)).toEpochMilli();
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new BadInput("expires", "'expires' is \"" + text + "\", which is neither a span like \"30d\", \"12h\", "
          + "\"90m\" or \"2w\", nor an ISO-8601 instant like \"2026-12-31T23:59:59Z\", nor a date like \"2026-12-31\".");
    }
  }
}
