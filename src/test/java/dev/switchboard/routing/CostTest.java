package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.Usage;
import dev.switchboard.config.SwitchboardConfig;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

final class CostTest {
  private static final SwitchboardConfig.Price SONNET = new SwitchboardConfig.Price(new BigDecimal("3"),
      new BigDecimal("15"), new BigDecimal("0.30"), new BigDecimal("3.75"));

  @Test
  void cacheReadsAndWritesArePricedAtTheirOwnRatesAndTheRestAsInput() {
    // 10,000 input tokens of which 6,000 read from cache and 1,000 written; 500 output tokens
    Usage usage = new Usage(10_000, 500, 6_000, 1_000, 0, false);
    // 3,000 × 3 + 6,000 × 0.30 + 1,000 × 3.75 + 500 × 15 = 9,000 + 1,800 + 3,750 + 7,500 = 22,050 micro-dollars
    assertThat(Cost.of(SONNET, usage)).isEqualByComparingTo("0.02205");
  }

  @Test
  void withoutCachePricesCachedTokensCostAsInput() {
    var flat = new SwitchboardConfig.Price(BigDecimal.ONE, BigDecimal.TEN, null, null);
    assertThat(Cost.of(flat, new Usage(1_000, 100, 400, 0, 0, false))).isEqualByComparingTo("0.002");
  }

  @Test
  void anUnknownPriceHasNoCost() {
    assertThat(Cost.of(null, new Usage(1, 1, 0, 0, 0, false))).isNull();
  }
}
