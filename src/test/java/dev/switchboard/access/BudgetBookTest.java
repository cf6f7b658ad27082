package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.store.SqliteStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget book against the real embedded store and key service, with an injected wall clock: reservations hold
 * the worst case until settled, every budget of a key and its team is taken or none, windows roll over at UTC
 * midnight, spend is rebuilt from the ledger, and many threads reserving at once never admit more than the budget.
 */
final class BudgetBookTest {
  private static final Estimate SOME = new Estimate(100, 100);
  /** 2026-11-26T23:59:00Z. */
  private static final long LATE = Instant.parse("2026-11-26T23:59:00Z").toEpochMilli();

  @TempDir Path home;
  private SqliteStore store;
  private Keys keys;
  private final AtomicLong now = new AtomicLong(LATE);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private int ids;

  @BeforeEach
  void open() {
    store = SqliteStore.open(home);
    keys = Keys.load(store, SecretBox.of(new byte[32]));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aReservationHoldsTheWorstCaseUntilItSettlesTheRealCost() {
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    Principal p = principal(key(null, "1/total"));
    BudgetBook.Hold first = book.reserve(p, usd("0.4"), SOME);
    assertThat(first.remaining()).isEqualTo("0.6");
    book.reserve(p, usd("0.4"), SOME);
    assertThatThrownBy(() -> book.reserve(p, usd("0.4"), SOME)).isInstanceOfSatisfying(Refusal.class, r -> {
      GatewayError e = r.error();
      assertThat(e.code()).isEqualTo(GatewayError.INSUFFICIENT_QUOTA);
      assertThat(e.message()).contains("key " + p.key().prefix(), "$1/total", "$0.2 left", "$0 spent",
          "$0.8 held by 2 requests in flight", "may cost up to $0.4", "A total budget does not reset",
          "'switchboard keys update'");
    });
    first.settle(record(p, "0.1"));
    first.settle(record(p, "0.1")); // settles once
    assertThat(book.spent(p.keyId(), null, Budget.Period.TOTAL)).isEqualByComparingTo("0.1");
    book.reserve(p, usd("0.4"), SOME); // 0.1 spent + 0.4 + 0.4 held
    assertThat(book.remaining(p.keyId(), null, Budget.parse("1/total"))).isEqualByComparingTo("0.1");
  }

  @Test
  void aRequestTakesEveryBudgetOfItsKeyAndTeamOrNone() {
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    Team team = keys.createTeam("research", null, List.of(Budget.parse("1/month")), null);
    Principal p = principal(key("research", "10/day"));
    book.reserve(p, usd("0.6"), SOME);
    assertThatThrownBy(() -> book.reserve(p, usd("0.6"), SOME)).isInstanceOfSatisfying(Refusal.class,
        r -> assertThat(r.error().message()).contains("team 'research'", "$1/month", "It resets at "
            + "2026-12-01T00:00:00Z (monthly, UTC)", "'switchboard teams update'"));
    // The key's own budget was not charged for the refused request.
    assertThat(book.remaining(p.keyId(), null, Budget.parse("10/day"))).isEqualByComparingTo("9.4");
    assertThat(book.remaining(null, team.id(), Budget.parse("1/month"))).isEqualByComparingTo("0.4");
    // Another key of the team shares the team's budget.
    Principal other = principal(key("research", null));
    assertThatThrownBy(() -> book.reserve(other, usd("0.5"), SOME)).isInstanceOf(Refusal.class);
    book.reserve(other, usd("0.4"), SOME);
  }

  @Test
  void aNewDayStartsFromZeroAndALateSettlementCountsInTheDayItWasReservedIn() {
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    Principal p = principal(key(null, "1/day"));
    BudgetBook.Hold yesterday = book.reserve(p, usd("0.8"), SOME);
    assertThatThrownBy(() -> book.reserve(p, usd("0.8"), SOME)).isInstanceOfSatisfying(Refusal.class,
        r -> assertThat(r.error().message()).contains("It resets at 2026-11-27T00:00:00Z (daily, UTC)"));
    now.set(LATE + 60_000); // midnight UTC
    BudgetBook.Hold today = book.reserve(p, usd("0.8"), SOME);
    yesterday.settle(record(p, "0.8"));
    today.settle(record(p, "0.3"));
    assertThat(book.spent(p.keyId(), null, Budget.Period.DAY)).isEqualByComparingTo("0.3");
    now.set(LATE); // a wall clock stepped back does not reopen yesterday with nothing spent
    assertThat(book.spent(p.keyId(), null, Budget.Period.DAY)).isEqualByComparingTo("0.3");
  }

  @Test
  void spendIsRebuiltFromTheLedgerAtStartAndWhenABudgetIsAdded() {
    Principal budgeted = principal(key(null, "1/day"));
    Principal later = principal(key(null, null));
    long yesterday = LATE - 86_400_000L;
    store.recordUsage(List.of(record(budgeted, "0.5"), record(later, "0.7")), yesterday);
    store.recordUsage(List.of(record(budgeted, "0.7"), record(later, "0.7")), LATE - 1000);
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    assertThat(book.spent(budgeted.keyId(), null, Budget.Period.DAY)).isEqualByComparingTo("0.7");
    assertThatThrownBy(() -> book.reserve(budgeted, usd("0.4"), SOME)).isInstanceOf(Refusal.class);
    book.reserve(budgeted, usd("0.3"), SOME);

    keys.updateKey(later.keyId(), null, null, List.of(Budget.parse("2/total")), null, null, null);
    Principal updated = principal(keys.ring().key(later.keyId()));
    assertThat(book.spent(updated.keyId(), null, Budget.Period.TOTAL)).isEqualByComparingTo("1.4");
    assertThatThrownBy(() -> book.reserve(updated, usd("0.7"), SOME)).isInstanceOf(Refusal.class);
    // A raised budget holds from the next request on: the limit is read from the principal.
    keys.updateKey(later.keyId(), null, null, List.of(Budget.parse("3/total")), null, null, null);
    book.reserve(principal(keys.ring().key(later.keyId())), usd("0.7"), SOME);

    // The same for a team: both keys are in the default team, which spent 0.7 + 0.7 today.
    keys.updateTeam(budgeted.teamId(), null, List.of(Budget.parse("2/day")), null);
    assertThat(book.spent(null, budgeted.teamId(), Budget.Period.DAY)).isEqualByComparingTo("1.4");
  }

  @Test
  void anExhaustedOrZeroBudgetRefusesEvenWhatHasNoPrice() {
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    assertThatThrownBy(() -> book.reserve(principal(key(null, "0/day")), 0, SOME)).isInstanceOf(Refusal.class);
    Principal p = principal(key(null, "1/total"));
    book.reserve(p, usd("1"), SOME).settle(record(p, "1"));
    assertThatThrownBy(() -> book.reserve(p, 0, SOME)).isInstanceOf(Refusal.class);
  }

  @Test
  void anExchangeWithoutACostIsChargedNothingOnlyWhenNoUpstreamCouldHaveProducedTokens() {
    long reserved = usd("0.5");
    assertThat(BudgetBook.charge(ended("rejected", 0, -1), reserved)).isZero();
    assertThat(BudgetBook.charge(ended("upstream_error", 2, -1), reserved)).isZero();
    assertThat(BudgetBook.charge(ended("upstream_error", 1, 5), reserved)).isEqualTo(reserved);
    assertThat(BudgetBook.charge(ended("client_gone", 1, -1), reserved)).isEqualTo(reserved);
    assertThat(BudgetBook.charge(ended("timeout", 1, -1), reserved)).isEqualTo(reserved);
    // An estimated usage (a stream cut off before its usage) is charged at least its reservation.
    ExchangeRecord estimated = new ExchangeRecord("r", "chat", "m", "sim", "m", true, 499, "client_gone",
        new Usage(10, 3, 0, 0, 0, true), 1, 5, "sim/m", "r1", 1, new BigDecimal("0.01"), "k", "t");
    assertThat(BudgetBook.charge(estimated, reserved)).isEqualTo(reserved);
    assertThat(BudgetBook.charge(estimated, usd("0.001"))).isEqualTo(usd("0.01"));
    ExchangeRecord unpriced = new ExchangeRecord("r", "chat", "m", "sim", "m", false, 200, "completed",
        new Usage(10, 3, 0, 0, 0, false), 1, 5, "sim/m", "r1", 1, null, "k", "t");
    assertThat(BudgetBook.charge(unpriced, reserved)).isZero();
  }

  @Test
  void manyThreadsReservingAtOnceNeverAdmitMoreThanTheBudget() throws Exception {
    BudgetBook book = new BudgetBook(store, keys.ring(), clock);
    Principal p = principal(key(null, "1/total"));
    long worst = usd("0.001");
    AtomicInteger admitted = new AtomicInteger();
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < 250; i++) {
            BudgetBook.Hold h;
            try {
              h = book.reserve(p, worst, SOME);
            } catch (Refusal r) {
              continue;
            }
            admitted.incrementAndGet();
            h.settle(record(p, "0.001")); // the real cost equals the reservation
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    // 2,000 attempts for 1,000 slots: exactly the budget is admitted, never more.
    assertThat(admitted.get()).isEqualTo(1000);
    assertThat(book.spent(p.keyId(), null, Budget.Period.TOTAL)).isEqualByComparingTo("1");
    assertThat(book.remaining(p.keyId(), null, Budget.parse("1/total"))).isEqualByComparingTo("0");
  }

  @Test
  void anInlineImageCountsAsABoundedNumberOfTokensAndTextDoesNot() {
    String image = "A".repeat(200_000);
    String openai = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
        + "\"image_url\":{\"url\":\"data:image/png;base64," + image + "\"}}]}]}";
    String anthropic = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
        + "\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + image + "\"}}]}]}";
    String bedrock = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":\"png\",\"source\":"
        + "{\"bytes\":\"" + image + "\"}}}]}]}";
    for (String body : List.of(openai, anthropic, bedrock)) {
      assertThat(Estimate.inputTokens(body)).isBetween((long) Estimate.IMAGE_TOKENS, Estimate.IMAGE_TOKENS + 60L);
    }
    String text = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"image " + image + "\"}]}";
    // Counted in pieces: no quadratic stall on one 200,000-character word, and no fewer tokens than in one go.
    String word = "A".repeat(2_000);
    assertThat(Estimate.inputTokens(text)).isGreaterThan(100 * Estimate.inputTokens(word));
    assertThat(Estimate.inputTokens(word)).isGreaterThanOrEqualTo(Estimate.TOKENS.countTokensOrdinary(word));
  }

  private VirtualKey key(String team, String budget) {
    return keys.createKey(new Keys.KeySpec(team, "k" + ids++, null, null,
        budget == null ? null : List.of(Budget.parse(budget)), null, null, false)).key();
  }

  private Principal principal(VirtualKey key) {
    return new Principal(key, keys.ring().team(key.teamId()));
  }

  private static long usd(String amount) {
    return BudgetBook.units(new BigDecimal(amount), RoundingMode.UNNECESSARY);
  }

  private int records;

  private ExchangeRecord record(Principal p, String cost) {
    return new ExchangeRecord("req-" + records++, "chat", "m", "sim", "m", false, 200, "completed",
        new Usage(1, 1, 0, 0, 0, false), 1, 1, "sim/m", "r1", 1, new BigDecimal(cost), p.keyId(), p.teamId());
  }

  private static ExchangeRecord ended(String outcome, int attempts, long firstByte) {
    return new ExchangeRecord("r", "chat", "m", "sim", "m", true, 499, outcome, null, 1, firstByte,
        attempts == 0 ? null : "sim/m", "r1", attempts, null, "k", "t");
  }
}
