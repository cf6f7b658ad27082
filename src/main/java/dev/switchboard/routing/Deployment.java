package dev.switchboard.routing;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.provider.Provider;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Set;

/**
 * One place a logical model is served: a provider, the upstream's id for the model there, and what the router
 * weighs — price, region, limits, capabilities — plus the deployment's live {@link Health}. Immutable but for
 * the health, which is thread-safe.
 */
public final class Deployment {
  private final Provider provider;
  private final String upstreamModel;
  private final String region;
  private final SwitchboardConfig.Price price;
  private final String priceSource;
  private final SwitchboardConfig.Deployment settings;
  private final int index;
  private final String id;
  final Health health;

  Deployment(Provider provider, SwitchboardConfig.Deployment settings, String region, SwitchboardConfig.Price price,
      String priceSource, int index, Health health) {
    this.provider = provider;
    this.upstreamModel = settings.upstreamModel();
    this.region = region;
    this.price = price;
    this.priceSource = priceSource;
    this.settings = settings;
    this.index = index;
    this.health = health;
    this.id = provider.name() + "/" + upstreamModel;
  }

  public Provider provider() {
    return provider;
  }

  public String upstreamModel() {
    return upstreamModel;
  }

  /** Its region, or {@code "default"} when neither the deployment nor its provider names one. */
  public String region() {
    return region;
  }

  /** {@code provider/upstream-model}: what the response headers and the routes command name it by. */
  public String id() {
    return id;
  }

  /**
   * USD per million tokens, or null when unknown. A self-hosted deployment priced by the hour gets an effective
   * price from its measured decode speed: {@code cost_per_hour / (tokens/s per request × max_concurrency × 3600)},
   * the same for input and output; unknown until measured, or without {@code max_concurrency}.
   */
  public SwitchboardConfig.Price price() {
    if (price != null || settings.costPerHour() == null) return price;
    double capacity = capacityTokensPerSecond();
    if (!(capacity > 0)) return null;
    BigDecimal perMillion = BigDecimal.valueOf(settings.costPerHour() * 1e6 / (capacity * 3600))
        .round(new MathContext(4));
    return new SwitchboardConfig.Price(perMillion, perMillion, null, null);
  }

  /** Where {@link #price} came from: {@code config}, the built-in list's source and date, or the hourly cost. */
  public String priceSource() {
    if (price != null || settings.costPerHour() == null) return priceSource;
    double capacity = capacityTokensPerSecond();
    return capacity > 0 ? "cost_per_hour " + settings.costPerHour() + " USD at a measured " + Math.round(capacity)
        + " tokens/s (per-request speed × max_concurrency)" : null;
  }

  private double capacityTokensPerSecond() {
    double perRequest = health.tokensPerSecond.value();
    return Double.isNaN(perRequest) || settings.maxConcurrency() <= 0 ? Double.NaN
        : perRequest * settings.maxConcurrency();
  }

  public SwitchboardConfig.Deployment settings() {
    return settings;
  }

  /** Its place in the model's configuration, which breaks ties. */
  int index() {
    return index;
  }

  /**
   * One number to compare prices by: USD per million tokens at three input tokens to one output token, the
   * usual blend for chat traffic; null when the price is unknown.
   */
  public BigDecimal blendedPrice() {
    SwitchboardConfig.Price price = price();
    if (price == null) return null;
    return price.input().multiply(BigDecimal.valueOf(3)).add(price.output()).divide(BigDecimal.valueOf(4),
        MathContext.DECIMAL64);
  }

  boolean has(Set<String> capabilities) {
    return settings.capabilities().isEmpty() || settings.capabilities().containsAll(capabilities);
  }

  @Override
  public String toString() {
    return id() + "@" + region;
  }
}
