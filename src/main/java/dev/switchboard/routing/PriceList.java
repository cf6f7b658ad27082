package dev.switchboard.routing;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The built-in list prices of widely used public models (resource {@code prices.json}), each with its source and
 * date, for deployments whose config gives no price. Immutable and thread-safe.
 */
public final class PriceList {
  /** Bedrock cross-region inference profiles prefix the model id with a geography. */
  private static final Pattern PROFILE_PREFIX = Pattern.compile("^(us|eu|apac|us-gov|global|jp|au|ca)\\.");

  /** A known price, with where it came from ("source, date"), and the model's limits when the list has them. */
  public record Entry(SwitchboardConfig.Price price, String source, Integer contextWindow, Integer maxOutput) {}

  private static final PriceList BUILT_IN = load();

  private final Map<String, Entry> byId;

  private PriceList(Map<String, Entry> byId) {
    this.byId = byId;
  }

  public static PriceList builtIn() {
    return BUILT_IN;
  }

  /** The entry for an upstream model id (also an inference-profile id like {@code us.anthropic…}), or null. */
  public Entry find(String upstreamModel) {
    Entry e = byId.get(upstreamModel);
    if (e == null) e = byId.get(PROFILE_PREFIX.matcher(upstreamModel).replaceFirst(""));
    return e;
  }

  private static PriceList load() {
    try (InputStream in = PriceList.class.getResourceAsStream("prices.json")) {
      if (in == null) throw new IllegalStateException("prices.json is missing from the jar");
      JsonNode root = Json.MAPPER.readTree(in);
      Map<String, Entry> byId = new HashMap<>();
      for (JsonNode m : root.path("models")) {
        String source = root.path("sources").path(m.path("source").asString()).asString(m.path("source").asString())
            + ", " + m.path("date").asString();
        SwitchboardConfig.Price price = new SwitchboardConfig.Price(new BigDecimal(m.path("input").asString()),
            new BigDecimal(m.path("output").asString()), decimal(m.get("cache_read")), decimal(m.get("cache_write")));
        Integer context = m.has("context_window") ? m.get("context_window").asInt() : null;
        Integer maxOutput = m.has("max_output") ? m.get("max_output").asInt() : null;
        Entry entry = new Entry(price, source, context, maxOutput);
        for (JsonNode id : m.path("ids")) byId.put(id.asString(), entry);
      }
      return new PriceList(Map.copyOf(byId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigDecimal decimal(JsonNode n) {
    return n == null || n.isNull() ? null : new BigDecimal(n.asString());
  }
}
