package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class AdaptiveLimitTest {
  @Test
  void refusesBeyondTheLimitUntilASlotIsReleased() {
    AdaptiveLimit limit = new AdaptiveLimit(2, 1, 10);
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
    limit.release(false);
    assertThat(limit.tryAcquire()).isTrue();
  }

  @Test
  void overloadShrinksTheLimitAndSuccessUnderLoadGrowsItBackToTheCeiling() {
    AdaptiveLimit limit = new AdaptiveLimit(20, 2, 20);
    for (int i = 0; i < 30; i++) {
      limit.tryAcquire();
      limit.release(true);
    }
    assertThat(limit.limit()).isEqualTo(2);
    for (int i = 0; i < 2000; i++) {
      while (limit.tryAcquire()) { } // keep it full, as heavy traffic does
      limit.release(false);
      int held = limit.inFlight();
      for (int j = 0; j < held; j++) limit.release(false);
    }
    assertThat(limit.limit()).isEqualTo(20);
  }

  @Test
  void anIdleDeploymentsLimitDoesNotGrow() {
    AdaptiveLimit limit = new AdaptiveLimit(10, 1, 100);
    for (int i = 0; i < 1000; i++) {
      limit.tryAcquire();
      limit.release(false);
    }
    assertThat(limit.limit()).isEqualTo(10);
  }
}
