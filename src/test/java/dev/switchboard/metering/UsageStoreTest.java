package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.SqliteStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's usage table: a batch written twice counts once, and rows are dated by the exchange's end. */
final class UsageStoreTest {
  @TempDir Path home;

  private static ExchangeRecord record(String id, long endedMillis) {
    return new ExchangeRecord(id, "messages", "m", "p", "u", true, 200, "completed",
        new Usage(1200, 40, 1000, 0, 7, false), 5_000_000, 1_000_000, "p/u", "r1", 2, new BigDecimal("0.000123"),
        "key1", "team1", endedMillis);
  }

  @Test
  void aBatchWrittenAgainCountsOnceAndEachRowIsDatedByItsEnd() {
    try (SqliteStore store = SqliteStore.open(home)) {
      List<ExchangeRecord> batch = List.of(record("req_1", 1_000), record("req_2", 0));
      store.recordUsage(batch, 5_000);
      store.recordUsage(batch, 6_000); // a retried batch, say after a failure that did commit
    }
    List<UsageRows.Row> rows = UsageRows.read(home);
    assertThat(rows).extracting(UsageRows.Row::requestId).containsExactly("req_1", "req_2");
    assertThat(rows).extracting(UsageRows.Row::atMillis).containsExactly(1_000L, 5_000L);
    UsageRows.Row r = rows.getFirst();
    assertThat(r).isEqualTo(new UsageRows.Row("req_1", 1_000, "messages", "anthropic", "m", "p/u", "p", "r1", true, 200,
        "completed", 2, 1200, 40, 1000, 0, 7, false, new BigDecimal("0.000123"), 5, 1L, "key1", "team1"));
  }
}
