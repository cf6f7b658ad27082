package dev.switchboard.routing;

import dev.switchboard.canonical.Usage;
import dev.switchboard.config.SwitchboardConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** What an exchange's tokens cost at a deployment's price, in USD. Stateless. */
public final class Cost {
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private Cost() {}

  /**
   * Cache reads and writes are priced at their own rates where the price has them, else as input; the rest of
   * the input (which includes cached tokens, see {@link Usage}) at the input rate. Null when the price is unknown.
   */
  public static BigDecimal of(SwitchboardConfig.Price price, Usage usage) {
    if (price == null || usage == null) return null;
    long plainInput = Math.max(0, usage.inputTokens() - usage.cacheReadTokens() - usage.cacheWriteTokens());
    BigDecimal read = price.cacheRead() != null ? price.cacheRead() : price.input();
    BigDecimal write = price.cacheWrite() != null ? price.cacheWrite() : price.input();
    BigDecimal micro = price.input().multiply(BigDecimal.valueOf(plainInput))
        .add(read.multiply(BigDecimal.valueOf(usage.cacheReadTokens())))
        .add(write.multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
        .add(price.output().multiply(BigDecimal.valueOf(usage.outputTokens())));
    return micro.divide(MILLION, 10, RoundingMode.HALF_UP).stripTrailingZeros();
  }
}
