package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RetryBudgetTest {
  private final ManualTicker ticker = new ManualTicker();

  @Test
  void retriesStayWithinTheRatioOfRequests() {
    RetryBudget budget = new RetryBudget(0.2, 0, ticker);
    int retries = 0;
    for (int i = 0; i < 1000; i++) {
      budget.onRequest();
      if (budget.tryRetry()) retries++;
    }
    assertThat(retries).isEqualTo(200);
  }

  @Test
  void aQuietGatewayStillRetriesFromTheTimedReserve() {
    RetryBudget budget = new RetryBudget(0.2, 2, ticker);
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.tryRetry()).isFalse();
    ticker.advance(Duration.ofMillis(500));
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.tryRetry()).isFalse();
  }

  @Test
  void aLongQuietSpellDoesNotSaveUpABurst() {
    RetryBudget budget = new RetryBudget(1, 1, ticker);
    for (int i = 0; i < 10_000; i++) budget.onRequest();
    ticker.advance(Duration.ofHours(1));
    int retries = 0;
    while (budget.tryRetry()) retries++;
    assertThat(retries).isEqualTo(101);
  }
}
