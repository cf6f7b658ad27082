package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.Store.UsageGroup;
import dev.switchboard.store.Store.UsageQuery;
import dev.switchboard.store.Store.UsageRow;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#usage(UsageQuery)} on the embedded store: grouping, filters, day ranges and exact cost sums. */
final class UsageQueryTest {
  @TempDir Path home;

  private static final long DAY1 = Instant.parse("2026-03-01T23:59:59.900Z").toEpochMilli();
  private static final long DAY2 = Instant.parse("2026-03-02T00:00:00.100Z").toEpochMilli();

  private static ExchangeRecord record(String id, String model, String key, String team, int status, String cost,
      long in, long out, boolean estimated) {
    return new ExchangeRecord(id, "chat", model, "sim", "sim-large", false, status, "completed",
        new Usage(in, out, 1, 2, 3, estimated), 1_000_000, 500_000, "sim/sim-large", "r1", 1,
        cost == null ? null : new BigDecimal(cost), key, team);
  }

  private static List<Object> cells(UsageRow r) {
    return Arrays.asList(r.groups(), r.requests(), r.errors(), r.inputTokens(), r.outputTokens(), r.cacheReadTokens(),
        r.cacheWriteTokens(), r.reasoningTokens(), r.costUsd(), r.estimated());
  }

  @Test
  void sumsExactlyByEveryDimensionWithinTheRange() {
    try (SqliteStore store = SqliteStore.open(home)) {
      store.recordUsage(List.of(
          record("a", "chat", "k1", "t1", 200, "0.1", 10, 20, false),
          record("b", "chat", "k2", "t1", 200, "0.2", 30, 40, true)), DAY1);
      store.recordUsage(List.of(
          record("c", "embed", "k1", "t1", 200, "0.000001", 5, 0, false),
          record("d", "chat", null, null, 502, null, 0, 0, false)), DAY2);

      List<UsageRow> byDay = store.usage(new UsageQuery(List.of(UsageGroup.DAY), 0, Long.MAX_VALUE, null, null, null));
      assertThat(byDay).extracting(UsageQueryTest::cells).containsExactly(
          // 0.1 + 0.2 as doubles would be 0.30000000000000004
          List.of(List.of("2026-03-01"), 2L, 0L, 40L, 60L, 2L, 4L, 6L, "0.3", 1L),
          List.of(List.of("2026-03-02"), 2L, 1L, 5L, 0L, 2L, 4L, 6L, "0.000001", 0L));

      List<UsageRow> byKeyAndModel = store.usage(new UsageQuery(List.of(UsageGroup.KEY, UsageGroup.MODEL), 0,
          Long.MAX_VALUE, null, null, null));
      assertThat(byKeyAndModel).extracting(UsageRow::groups).containsExactly(Arrays.asList(null, "chat"),
          List.of("k1", "chat"), List.of("k1", "embed"), List.of("k2", "chat"));

      long day2 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
      List<UsageRow> firstDayOfK1 = store.usage(new UsageQuery(List.of(), 0, day2, "k1", null, null));
      assertThat(firstDayOfK1).extracting(UsageQueryTest::cells)
          .containsExactly(List.of(List.of(), 1L, 0L, 10L, 20L, 1L, 2L, 3L, "0.1", 0L));

      assertThat(store.usage(new UsageQuery(List.of(UsageGroup.TEAM), day2, Long.MAX_VALUE, null, "t1", "embed")))
          .extracting(UsageRow::requests).containsExactly(1L);
      assertThat(store.usage(new UsageQuery(List.of(), 0, Long.MAX_VALUE, "nobody", null, null))).isEmpty();
      assertThat(store.usage(new UsageQuery(List.of(UsageGroup.FRONT_DOOR, UsageGroup.PROVIDER, UsageGroup.REGION,
          UsageGroup.DEPLOYMENT), 0, Long.MAX_VALUE, null, null, null)))
          .extracting(UsageRow::groups).containsExactly(List.of("openai", "sim", "r1", "sim/sim-large"));
    }
  }
}
