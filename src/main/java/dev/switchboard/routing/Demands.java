package dev.switchboard.routing;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import io.vertx.core.MultiMap;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Builds a request's {@link Demand}: what the request itself needs (from its canonical form, when the front door
 * decoded one) and what the client narrowed with headers:
 * {@code x-switchboard-strategy} (cheapest, latency, weighted, priority), {@code x-switchboard-region} (preferred),
 * {@code x-switchboard-residency} (comma-separated allow-list) and {@code x-switchboard-max-price} (USD per million
 * tokens, blended 3:1 input:output).
 */
public final class Demands {
  private static final Set<String> STRATEGIES = Set.of("cheapest", "latency", "weighted", "priority");
  /** A rough tokens-per-character figure for sizing a request against context windows; English runs near 4. */
  private static final int CHARS_PER_TOKEN = 4;

  private Demands() {}

  /**
   * @param request the decoded request, or null on a byte-relay path (then only the headers count)
   * @throws IllegalArgumentException naming the header and what it accepts, when a header's value is bad
   */
  public static Demand of(ChatRequest request, MultiMap headers) {
    Set<String> capabilities = new LinkedHashSet<>();
    int tokens = 0;
    if (request != null) {
      if (!request.tools().isEmpty()) capabilities.add("tools");
      if (request.outputFormat() instanceof OutputFormat.JsonSchema) capabilities.add("json_schema");
      if (request.reasoning() != null) capabilities.add("reasoning");
      long chars = 0;
      for (Part.Text t : request.system()) chars += t.text().length();
      for (Message m : request.messages()) {
        for (Part p : m.parts()) {
          switch (p) {
            case Part.Text t -> chars += t.text().length();
            case Part.Image i -> capabilities.add("vision");
            case Part.ToolCall c -> chars += c.arguments() == null ? 0 : c.arguments().length();
            default -> { }
          }
        }
      }
      long estimate = chars / CHARS_PER_TOKEN + (request.maxOutputTokens() == null ? 0 : request.maxOutputTokens());
      tokens = (int) Math.min(Integer.MAX_VALUE, estimate);
    }
    String strategy = header(headers, "x-switchboard-strategy");
    if (strategy != null && !STRATEGIES.contains(strategy)) {
      throw new IllegalArgumentException("x-switchboard-strategy: '" + strategy + "' is not a strategy (use cheapest, "
          + "latency, weighted or priority)");
    }
    String region = header(headers, "x-switchboard-region");
    Set<String> residency = new LinkedHashSet<>();
    String tags = header(headers, "x-switchboard-residency");
    if (tags != null) {
      for (String t : tags.split(",")) if (!t.isBlank()) residency.add(t.trim());
    }
    BigDecimal maxPrice = null;
    String price = header(headers, "x-switchboard-max-price");
    if (price != null) {
      try {
        maxPrice = new BigDecimal(price);
      } catch (NumberFormatException e) {
        maxPrice = null;
      }
      if (maxPrice == null || maxPrice.signum() < 0) {
        throw new IllegalArgumentException("x-switchboard-max-price: '" + price + "' is not a price (USD per million "
            + "tokens, like 2.5)");
      }
    }
    if (request == null && strategy == null && region == null && residency.isEmpty() && maxPrice == null) {
      return Demand.NONE;
    }
    return new Demand(strategy, capabilities, tokens, residency, region, maxPrice);
  }

  private static String header(MultiMap headers, String name) {
    String v = headers.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
