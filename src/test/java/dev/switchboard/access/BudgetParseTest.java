package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class BudgetParseTest {
  @Test
  void parsesAmountsAndPeriods() {
    assertThat(Budget.parse("5/day")).isEqualTo(new Budget(new BigDecimal("5"), Budget.Period.DAY));
    assertThat(Budget.parse("$0.50/month")).isEqualTo(new Budget(new BigDecimal("0.50"), Budget.Period.MONTH));
    assertThat(Budget.parse("20")).isEqualTo(new Budget(new BigDecimal("20"), Budget.Period.MONTH));
    assertThatThrownBy(() -> Budget.parse("five/day")).hasMessageContaining("5/day, 100/month or 20/total");
    assertThatThrownBy(() -> Budget.parse("5/week")).hasMessageContaining("day, month, total");
  }

  @Test
  void periodsAreUtcCalendarPeriods() {
    long at = Instant.parse("2026-11-26T23:59:59Z").toEpochMilli();
    assertThat(Budget.Period.DAY.start(at)).isEqualTo(Instant.parse("2026-11-26T00:00:00Z").toEpochMilli());
    assertThat(Budget.Period.DAY.end(at)).isEqualTo(Instant.parse("2026-11-27T00:00:00Z").toEpochMilli());
    assertThat(Budget.Period.MONTH.start(at)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
    assertThat(Budget.Period.MONTH.end(at)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
    assertThat(Budget.Period.TOTAL.start(at)).isZero();
  }
}
