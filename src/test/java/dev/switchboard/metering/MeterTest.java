package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.store.Store;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Meter against a hand-written store that can be told to fail: a batch that could not be written is written
 * later, once; what never reached routing is not usage; and while the store cannot be written the queue is bounded.
 * The flush interval is a minute, so only {@link Meter#close} writes: nothing here depends on timing.
 */
final class MeterTest {
  /** Records every batch it is given; fails while {@link #failing} is set. */
  private static final class StubStore implements Store {
    final List<String> written = new ArrayList<>();
    volatile boolean failing;
    int calls;

    @Override
    public synchronized void recordUsage(List<ExchangeRecord> records, long atMillis) {
      calls++;
      if (failing) throw new IllegalStateException("disk full");
      for (ExchangeRecord r : records) written.add(r.requestId());
    }

    @Override
    public UsageTotals usage(String model) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<UsageRow> usage(UsageQuery query) {
      return List.of();
    }

    @Override
    public void saveTeam(Team team) {}

    @Override
    public List<Team> teams() {
      return List.of();
    }

    @Override
    public void saveKey(VirtualKey key) {}

    @Override
    public List<VirtualKey> keys() {
      return List.of();
    }

    @Override
    public BigDecimal spentSince(String keyId, String teamId, long fromMillis) {
      return BigDecimal.ZERO;
    }

    @Override
    public void close() {}
  }

  private static ExchangeRecord record(String id, String deployment) {
    return new ExchangeRecord(id, "chat", "m", "p", "u", false, 200, "completed", new Usage(3, 4, 0, 0, 0, false),
        1_000_000, 500_000, deployment, "r1", 1, new BigDecimal("0.00001"), null, null);
  }

  @Test
  void closingWritesEveryQueuedRecordOnceAndSkipsRejectedRequests() {
    StubStore store = new StubStore();
    Meter meter = new Meter(store, Duration.ofMinutes(1));
    meter.ended(record("req_a", "p/u"));
    meter.ended(record("req_rejected", null)); // never routed: no usage
    meter.ended(record("req_b", "p/u"));
    meter.close();
    assertThat(store.written).containsExactly("req_a", "req_b");
  }

  @Test
  void whileTheStoreFailsRecordsWaitBoundedAndAreWrittenOnceItRecovers() {
    StubStore store = new StubStore();
    store.failing = true;
    Meter meter = new Meter(store, Duration.ofMinutes(1));
    for (int i = 0; i < Meter.MAX_QUEUED + 10; i++) meter.ended(record("req_" + i, "p/u"));
    meter.flush(); // fails: the batch goes back to the queue
    assertThat(store.calls).isEqualTo(1);
    store.failing = false;
    meter.close();
    assertThat(store.written).hasSize(Meter.MAX_QUEUED).doesNotHaveDuplicates();
  }

  @TempDir Path home;

  @Test
  void whileTheStoreFailsRecordsGoToTheSpoolWhichAStartAfterACrashWritesOnce() {
    StubStore store = new StubStore();
    store.failing = true;
    Meter meter = new Meter(store, Duration.ofMinutes(1), home, 1000);
    for (int i = 0; i < 10; i++) meter.ended(record("req_" + i, "p/u"));
    meter.flush();
    assertThat(meter.spooled()).isEqualTo(10);
    meter.ended(record("req_10", "p/u"));
    meter.close(); // the store still fails: the last record joins the spool on disk, as if the process then died

    StubStore back = new StubStore();
    Meter next = new Meter(back, Duration.ofMinutes(1), home, 1000); // writes the spool at start
    assertThat(next.spooled()).isZero();
    assertThat(back.written).hasSize(11).doesNotHaveDuplicates().contains("req_0", "req_10");
    next.ended(record("req_11", "p/u"));
    next.close();
    assertThat(back.written).hasSize(12);
  }

  @Test
  void theSpoolIsBoundedAndWrittenFirstWhenTheStoreReturns() {
    StubStore store = new StubStore();
    store.failing = true;
    Meter meter = new Meter(store, Duration.ofMinutes(1), home, 5);
    for (int i = 0; i < 8; i++) meter.ended(record("req_" + i, "p/u"));
    meter.flush();
    assertThat(meter.spooled()).isEqualTo(5); // the other 3 were dropped, and logged at ERROR
    store.failing = false;
    meter.ended(record("req_late", "p/u"));
    meter.close(); // tries the store at once, whatever the retry interval: the spool first, then the queue
    assertThat(meter.spooled()).isZero();
    assertThat(store.written).containsExactly("req_0", "req_1", "req_2", "req_3", "req_4", "req_late");
  }

  @Test
  void instancesSharingAStateDirectoryEachSpoolToTheirOwnFileAndNothingIsLeftBehind() {
    StubStore down = new StubStore();
    down.failing = true;
    Meter a = new Meter(down, Duration.ofMinutes(1), home, 1000);
    Meter b = new Meter(down, Duration.ofMinutes(1), home, 1000);
    for (int i = 0; i < 3; i++) a.ended(record("a_" + i, "p/u"));
    for (int i = 0; i < 2; i++) b.ended(record("b_" + i, "p/u"));
    a.close(); // both spool, each to its own file
    b.flush();
    assertThat(a.spooled()).isEqualTo(3);
    assertThat(b.spooled()).isEqualTo(2);

    StubStore up = new StubStore();
    Meter c = new Meter(up, Duration.ofMinutes(1), home, 1000); // takes the file A left; B's is still held
    assertThat(up.written).containsExactly("a_0", "a_1", "a_2");
    c.close();
    b.close(); // B ends with its spool unwritten
    Meter d = new Meter(up, Duration.ofMinutes(1), home, 1000); // takes over what B left
    d.close();
    assertThat(up.written).containsExactly("a_0", "a_1", "a_2", "b_0", "b_1");
  }
}
