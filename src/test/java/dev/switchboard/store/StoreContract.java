package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.Budget;
import dev.switchboard.access.Limits;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.Store.UsageGroup;
import dev.switchboard.store.Store.UsageQuery;
import dev.switchboard.store.Store.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do, whatever it is built on: one behavioural suite, run against the embedded store
 * ({@link SqliteStoreContractTest}) and PostgreSQL ({@link PostgresStoreContractTest}) with the same expectations.
 */
abstract class StoreContract {
  private static final long DAY1 = Instant.parse("2026-03-01T23:59:59.900Z").toEpochMilli();
  private static final long DAY2 = Instant.parse("2026-03-02T00:00:00.100Z").toEpochMilli();
  private static final long DAY2_START = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

  protected Store store;

  /** A new, empty store. */
  protected abstract Store open();

  @BeforeEach
  void openStore() {
    store = open();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static ExchangeRecord record(String id, String model, String key, String team, int status, String cost, long in,
      long out, boolean estimated, long endedMillis) {
    return new ExchangeRecord(id, "chat", model, "sim", "sim-large", false, status, "completed",
        new Usage(in, out, 1, 2, 3, estimated), 1_000_000, 500_000, "sim/sim-large", "r1", 1,
        cost == null ? null : new BigDecimal(cost), key, team, endedMillis);
  }

  private static List<Object> cells(UsageRow r) {
    return Arrays.asList(r.groups(), r.requests(), r.errors(), r.inputTokens(), r.outputTokens(), r.cacheReadTokens(),
        r.cacheWriteTokens(), r.reasoningTokens(), r.costUsd(), r.estimated());
  }

  private void fourRecords() {
    store.recordUsage(List.of(
        record("a", "chat", "k1", "t1", 200, "0.1", 10, 20, false, DAY1),
        record("b", "chat", "k2", "t1", 200, "0.2", 30, 40, true, DAY1)), 0);
    store.recordUsage(List.of(
        record("c", "embed", "k1", "t1", 200, "0.000001", 5, 0, false, DAY2),
        record("d", "chat", null, null, 502, null, 0, 0, false, DAY2)), 0);
  }

  @Test
  void aBatchWrittenTwiceCountsOnceAndSoDoesAnOverlappingOne() {
    List<ExchangeRecord> batch = new ArrayList<>();
    for (int i = 0; i < 2500; i++) batch.add(record("req_" + i, "m", "k", "t", 200, "0.0000000001", 1, 2, false, DAY1));
    store.recordUsage(batch, 0);
    store.recordUsage(batch, 0);
    store.recordUsage(List.of(batch.get(7), record("req_new", "m", "k", "t", 200, "1", 1, 2, false, DAY1)), 0);
    Store.UsageTotals t = store.usage("m");
    assertThat(t.requests()).isEqualTo(2501);
    assertThat(t.inputTokens()).isEqualTo(2501);
    assertThat(t.outputTokens()).isEqualTo(5002);
    assertThat(t.costUsd()).isEqualTo("1.00000025");
    assertThat(store.usage("other").requests()).isZero();
    assertThat(store.usage("other").costUsd()).isEqualTo("0");
  }

  @Test
  void decimalsSumExactly() {
    store.recordUsage(List.of(record("x", "m", "k", "t", 200, "0.1", 0, 0, false, DAY1),
        record("y", "m", "k", "t", 200, "0.2", 0, 0, false, DAY1)), 0);
    assertThat(store.usage("m").costUsd()).isEqualTo("0.3"); // as doubles: 0.30000000000000004
    assertThat(store.spentSince("k", null, 0)).isEqualByComparingTo("0.3");
    assertThat(store.usage(new UsageQuery(List.of(), 0, Long.MAX_VALUE, null, null, null)).getFirst().costUsd())
        .isEqualTo("0.3");
  }

  @Test
  void usageSumsByEveryDimensionWithinTheRange() {
    fourRecords();
    List<UsageRow> byDay = store.usage(new UsageQuery(List.of(UsageGroup.DAY), 0, Long.MAX_VALUE, null, null, null));
    assertThat(byDay).extracting(StoreContract::cells).containsExactly(
        List.of(List.of("2026-03-01"), 2L, 0L, 40L, 60L, 2L, 4L, 6L, "0.3", 1L),
        List.of(List.of("2026-03-02"), 2L, 1L, 5L, 0L, 2L, 4L, 6L, "0.000001", 0L));
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.HOUR), 0, Long.MAX_VALUE, null, null, null)))
        .extracting(UsageRow::groups).containsExactly(List.of("2026-03-01T23:00Z"), List.of("2026-03-02T00:00Z"));

    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.KEY, UsageGroup.MODEL), 0, Long.MAX_VALUE, null, null,
        null))).extracting(UsageRow::groups).containsExactly(Arrays.asList(null, "chat"), List.of("k1", "chat"),
        List.of("k1", "embed"), List.of("k2", "chat"));
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.TEAM), 0, Long.MAX_VALUE, null, null, null)))
        .extracting(StoreContract::cells).containsExactly(
            Arrays.asList(Arrays.asList((String) null), 1L, 1L, 0L, 0L, 1L, 2L, 3L, "0", 0L),
            List.of(List.of("t1"), 3L, 0L, 45L, 60L, 3L, 6L, 9L, "0.300001", 1L));
    assertThat(store.usage(new UsageQuery(List.of(), 0, DAY2_START, "k1", null, null)))
        .extracting(StoreContract::cells).containsExactly(List.of(List.of(), 1L, 0L, 10L, 20L, 1L, 2L, 3L, "0.1", 0L));
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.TEAM), DAY2_START, Long.MAX_VALUE, null, "t1", "embed")))
        .extracting(UsageRow::requests).containsExactly(1L);
    assertThat(store.usage(new UsageQuery(List.of(), 0, Long.MAX_VALUE, "nobody", null, null))).isEmpty();
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.MODEL), 0, Long.MAX_VALUE, null, null, "chat")))
        .extracting(UsageRow::groups, UsageRow::requests).containsExactly(
            org.assertj.core.groups.Tuple.tuple(List.of("chat"), 3L));
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.FRONT_DOOR, UsageGroup.PROVIDER, UsageGroup.REGION,
        UsageGroup.DEPLOYMENT), 0, Long.MAX_VALUE, null, null, null)))
        .extracting(UsageRow::groups).containsExactly(List.of("openai", "sim", "r1", "sim/sim-large"));
    // The range is [from, to): a record at exactly `to` is outside, one at `from` inside.
    assertThat(store.usage(new UsageQuery(List.of(), DAY1, DAY2, null, null, null)).getFirst().requests())
        .isEqualTo(2);
    Store.UsageTotals all = store.usage((String) null);
    assertThat(all.requests()).isEqualTo(4);
    assertThat(all.costUsd()).isEqualTo("0.300001");
  }

  @Test
  void textWithCommasQuotesLineBreaksAndAccentsComesBackAsWritten() {
    String model = "a,\"b\"\nc, é \\N";
    store.recordUsage(List.of(record("odd,\"id\"", model, "k,1", "", 200, "0.5", 1, 2, false, DAY1),
        record("plain", "m", null, null, 200, null, 1, 2, false, DAY1)), 0);
    assertThat(store.usage(new UsageQuery(List.of(UsageGroup.MODEL, UsageGroup.KEY, UsageGroup.TEAM), 0,
        Long.MAX_VALUE, null, null, null))).extracting(UsageRow::groups).containsExactly(
            List.of(model, "k,1", ""), Arrays.asList("m", null, null));
    assertThat(store.usage(model).costUsd()).isEqualTo("0.5");
  }

  @Test
  void spendIsCountedFromTheWindowsStart() {
    fourRecords();
    assertThat(store.spentSince("k1", null, 0)).isEqualByComparingTo("0.100001");
    assertThat(store.spentSince("k1", null, DAY2_START)).isEqualByComparingTo("0.000001");
    assertThat(store.spentSince(null, "t1", 0)).isEqualByComparingTo("0.300001");
    assertThat(store.spentSince(null, "t1", DAY1 + 1)).isEqualByComparingTo("0.000001");
    assertThat(store.spentSince("k2", null, DAY2_START)).isEqualByComparingTo("0");
    assertThat(store.spentSince("nobody", null, 0)).isEqualByComparingTo("0");
  }

  @Test
  void teamsAndKeysRoundTripAndUniquenessConflicts() {
    Team team = new Team("team_1", "research", new Limits(60, 10_000, 4), List.of(Budget.parse("5/day")),
        Map.of("owner", "ana"), 1000);
    store.saveTeam(team);
    VirtualKey key = new VirtualKey("key_1", "team_1", "ci", "sk-sbv-abc", "hash1", Set.of("chat"),
        new Limits(10, null, null), List.of(Budget.parse("1/month")), 5000L, Map.of("env", "ci"), true, 2000,
        "SBAKEXAMPLE", "enc:v1:sealed");
    store.saveKey(key);
    VirtualKey plain = new VirtualKey("key_2", "team_1", "plain", "sk-sbv-def", "hash2", Set.of(), Limits.NONE,
        List.of(), null, Map.of(), true, 3000, null, null);
    store.saveKey(plain);
    assertThat(store.teams()).containsExactly(team);
    assertThat(store.keys()).containsExactly(key, plain);

    Team renamed = new Team("team_1", "research-2", Limits.NONE, List.of(), Map.of(), 1000);
    store.saveTeam(renamed);
    VirtualKey revoked = new VirtualKey("key_1", "team_1", "ci", "sk-sbv-abc", "hash1", Set.of("chat"),
        new Limits(10, null, null), List.of(Budget.parse("1/month")), 5000L, Map.of("env", "ci"), false, 2000,
        "SBAKEXAMPLE", "enc:v1:sealed");
    store.saveKey(revoked);
    assertThat(store.teams()).containsExactly(renamed);
    assertThat(store.keys()).containsExactly(revoked, plain);

    assertThatThrownBy(() -> store.saveTeam(new Team("team_2", "research-2", Limits.NONE, List.of(), Map.of(), 9)))
        .isInstanceOf(Store.StoreConflict.class).hasMessageContaining("research-2");
    assertThatThrownBy(() -> store.saveKey(new VirtualKey("key_3", "team_1", "dup", "p", "hash1", Set.of(),
        Limits.NONE, List.of(), null, Map.of(), true, 4000, null, null))).isInstanceOf(Store.StoreConflict.class);
    assertThatThrownBy(() -> store.saveKey(new VirtualKey("key_4", "team_1", "dup", "p", "hash4", Set.of(),
        Limits.NONE, List.of(), null, Map.of(), true, 4000, "SBAKEXAMPLE", "s"))).isInstanceOf(
        Store.StoreConflict.class);
    assertThat(store.keys()).hasSize(2);
    assertThat(store.health().up()).isTrue();
  }
}
