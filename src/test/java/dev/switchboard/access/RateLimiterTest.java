package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.util.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

final class RateLimiterTest {
  private final ManualTicker ticker = new ManualTicker();
  private final RateLimiter limiter =
      new RateLimiter(ticker, InstantSource.fixed(Instant.parse("2026-01-15T14:00:00Z")));

  @Test
  void aKeysRequestsPerMinuteRefillOneEveryTwentySecondsAtThreeAMinute() {
    Principal p = principal(new Limits(3, null, null), Limits.NONE);
    for (int i = 0; i < 3; i++) acquire(p, null);

    GatewayError refused = refusal(p, null);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.kind()).isEqualTo(GatewayError.Kind.RATE_LIMIT);
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.retryAfterSeconds()).isEqualTo(20);
    assertThat(refused.message()).contains("key 'ci'", "3 requests per minute", "20 s", "switchboard keys update");

    ticker.advance(Duration.ofMillis(19_999));
    assertThat(refusal(p, null).retryAfterSeconds()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(1));
    acquire(p, null);
    assertThat(refusal(p, null).retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void anIdleMinuteRefillsTheWholeLimitAndNoMore() {
    Principal p = principal(new Limits(3, null, null), Limits.NONE);
    for (int i = 0; i < 3; i++) acquire(p, null);
    ticker.advance(Duration.ofHours(5));
    for (int i = 0; i < 3; i++) acquire(p, null);
    assertThat(refusal(p, null).retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void aTeamsLimitHoldsOverAllItsKeysTogether() {
    Team team = team(new Limits(3, null, null));
    Principal a = principal("key_aaaaaaaaaaaa", "a", Limits.NONE, team);
    Principal b = principal("key_bbbbbbbbbbbb", "b", Limits.NONE, team);
    acquire(a, null);
    acquire(a, null);
    acquire(b, null);

    GatewayError refused = refusal(b, null);
    assertThat(refused.message()).contains("team 'research'", "shared by all its keys", "switchboard teams update");
    assertThat(refusal(a, null).retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void whenTheTeamRefusesTheKeysCountIsUndoneAndARaisedLimitAppliesAtOnce() {
    Team team = team(new Limits(1, null, null));
    Principal a = principal("key_aaaaaaaaaaaa", "a", new Limits(1, null, null), team);
    Principal b = principal("key_bbbbbbbbbbbb", "b", Limits.NONE, team);
    acquire(b, null);
    assertThat(refusal(a, null).message()).contains("team 'research'");

    Team raised = new Team(team.id(), team.name(), new Limits(10, null, null), null, null, 0);
    Principal again = new Principal(a.key(), raised);
    acquire(again, null); // the key's own single request is still there: the team's refusal gave it back
    assertThat(refusal(again, null).message()).contains("key 'a'", "1 request per minute");
  }

  @Test
  void aLoweredLimitAlsoAppliesAtOnce() {
    Principal p = principal(new Limits(10, null, null), Limits.NONE);
    for (int i = 0; i < 3; i++) acquire(p, null);
    Principal lowered = principal(new Limits(3, null, null), Limits.NONE);
    assertThat(refusal(lowered, null).message()).contains("3 requests per minute");
  }

  @Test
  void tokensAreAdmittedOnTheEstimateAndCorrectedByTheActualUsage() {
    Principal p = principal(new Limits(null, 1000, null), Limits.NONE);
    RateLimiter.Permit first = acquire(p, new Estimate(100, 400));
    RateLimiter.Permit second = acquire(p, new Estimate(100, 400));

    GatewayError refused = refusal(p, new Estimate(100, 400));
    assertThat(refused.retryAfterSeconds()).isEqualTo(30); // 500 tokens at 1000 a minute
    assertThat(refused.message()).contains("1000 tokens per minute", "has 0 left", "500 tokens", "100 input",
        "400 output");

    first.ended(record(usage(60, 40), true)); // 100 used of 500 admitted: 400 come back
    assertThat(refusal(p, new Estimate(100, 400)).retryAfterSeconds()).isEqualTo(6); // 100 short
    second.ended(record(usage(60, 40), true));
    acquire(p, new Estimate(100, 400));
  }

  @Test
  void usageBeyondTheEstimateIsTakenTooAndLaterRequestsWaitForTheDebt() {
    Principal p = principal(new Limits(null, 1000, null), Limits.NONE);
    acquire(p, new Estimate(100, 400)).ended(record(usage(500, 1000), true));
    GatewayError refused = refusal(p, new Estimate(50, 50));
    assertThat(refused.retryAfterSeconds()).isEqualTo(36); // 1500 used + 100 wanted - 1000 = 600 tokens to drain
    ticker.advance(Duration.ofSeconds(36));
    acquire(p, new Estimate(50, 50));
  }

  @Test
  void withoutUsageAFailureBeforeAnyAnswerGivesAllBackAndABrokenAnswerKeepsItsEstimate() {
    Principal p = principal(new Limits(null, 1000, null), Limits.NONE);
    acquire(p, new Estimate(100, 400)).ended(record(null, false));
    acquire(p, new Estimate(100, 400)).ended(record(null, true));
    acquire(p, new Estimate(100, 400));
    assertThat(refusal(p, new Estimate(0, 1)).message()).contains("has 0 left");
  }

  @Test
  void aRequestLargerThanTheWholeTokensLimitCanNeverFitAndIsNotToldToRetry() {
    Principal p = principal(new Limits(5, 1000, null), Limits.NONE);
    GatewayError refused = refusal(p, new Estimate(200, 4096));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.retryAfterSeconds()).isEqualTo(-1);
    assertThat(refused.message()).contains("can never be admitted", "4296 tokens", "Lower max_tokens");
    // Nothing was counted: the whole limit is still there.
    for (int i = 0; i < 5; i++) acquire(p, new Estimate(100, 100));
  }

  @Test
  void aConcurrencySlotIsHeldUntilTheExchangeEnds() {
    Principal p = principal(new Limits(null, null, 1), Limits.NONE);
    RateLimiter.Permit first = acquire(p, null);
    GatewayError refused = refusal(p, null);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.message()).contains("Concurrency limit reached", "1 request at a time");
    first.ended(record(usage(1, 1), true));
    first.ended(record(usage(1, 1), true)); // a second end gives nothing back twice
    acquire(p, null);
    assertThat(refusal(p, null).message()).contains("Concurrency limit reached");
  }

  @Test
  void cancelUndoesEveryCount() {
    Principal p = principal(new Limits(1, 1000, 1), Limits.NONE);
    acquire(p, new Estimate(100, 500)).cancel();
    acquire(p, new Estimate(100, 500));
  }

  @Test
  void keysWithoutLimitsGetTheSharedEmptyPermit() {
    Principal p = principal(Limits.NONE, Limits.NONE);
    assertThat(acquire(p, null)).isSameAs(acquire(p, null));
    assertThat(limiter.countsTokens(p)).isFalse();
    assertThat(limiter.countsTokens(principal(Limits.NONE, new Limits(null, 5, null)))).isTrue();
  }

  @Test
  void concurrentCallersNeverGetMoreThanTheKeyOrTheTeamAllows() throws Exception {
    Team team = team(new Limits(1000, null, null));
    Principal a = principal("key_aaaaaaaaaaaa", "a", new Limits(600, null, null), team);
    Principal b = principal("key_bbbbbbbbbbbb", "b", new Limits(600, null, null), team);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Principal p = t % 2 == 0 ? a : b;
        results.add(pool.submit((Callable<Integer>) () -> {
          int admitted = 0;
          for (int i = 0; i < 500; i++) {
            try {
              limiter.acquire(p, null, RateLimitHeaders.Style.NONE, null);
              admitted++;
            } catch (Refusal r) {
              // counted below
            }
          }
          return admitted;
        }));
      }
      int forA = results.get(0).get() + results.get(2).get();
      int forB = results.get(1).get() + results.get(3).get();
      assertThat(forA).isLessThanOrEqualTo(600);
      assertThat(forB).isLessThanOrEqualTo(600);
      assertThat(forA + forB).isEqualTo(1000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void resetsAreWrittenAsOpenAiAndAnthropicWriteThem() {
    assertThat(RateLimitHeaders.goDuration(0)).isEqualTo("0s");
    assertThat(RateLimitHeaders.goDuration(19_200)).isEqualTo("20ms");
    assertThat(RateLimitHeaders.goDuration(1_000_000)).isEqualTo("1s");
    assertThat(RateLimitHeaders.goDuration(8_640_000)).isEqualTo("8.64s");
    assertThat(RateLimitHeaders.goDuration(8_005_000)).isEqualTo("8.005s");
    assertThat(RateLimitHeaders.goDuration(360_000_000)).isEqualTo("6m0s");
    assertThat(RateLimitHeaders.goDuration(3_723_500_000L)).isEqualTo("1h2m3.5s");
    long wall = Instant.parse("2026-01-15T14:00:00Z").toEpochMilli();
    assertThat(RateLimitHeaders.rfc3339(wall, 0)).isEqualTo("2026-01-15T14:00:00Z");
    assertThat(RateLimitHeaders.rfc3339(wall, 20_000_001)).isEqualTo("2026-01-15T14:00:21Z");
  }

  private RateLimiter.Permit acquire(Principal p, Estimate estimate) {
    return limiter.acquire(p, estimate, RateLimitHeaders.Style.NONE, null);
  }

  private GatewayError refusal(Principal p, Estimate estimate) {
    Refusal r = catchThrowableOfType(Refusal.class, () -> acquire(p, estimate));
    assertThat(r).as("refused").isNotNull();
    return r.error();
  }

  private static Team team(Limits limits) {
    return new Team("team_research0", "research", limits, null, null, 0);
  }

  private static Principal principal(Limits key, Limits team) {
    return principal("key_cicicicici0", "ci", key, new Team("team_default00", "default", team, null, null, 0));
  }

  private static Principal principal(String id, String name, Limits limits, Team team) {
    VirtualKey key = new VirtualKey(id, team.id(), name, KeyMaker.prefixOf(id), "hash", null, limits, null, null,
        null, true, 0, null, null);
    return new Principal(key, team);
  }

  private static Usage usage(long input, long output) {
    return new Usage(input, output, 0, 0, 0, false);
  }

  /** An ended exchange with {@code usage}; {@code answered} says whether its answer had begun. */
  private static ExchangeRecord record(Usage usage, boolean answered) {
    return new ExchangeRecord("req", "chat", "chat", "sim", "sim-large", false, answered ? 200 : 502,
        answered ? "completed" : "upstream_error", usage, 1_000_000, answered ? 500_000 : -1, null, null, 1, null,
        "key", "team");
  }

  /** A ticker the test moves by hand. */
  private static final class ManualTicker implements Ticker {
    private long now = 1_000_000_000L;

    @Override
    public long read() {
      return now;
    }

    void advance(Duration d) {
      now += d.toNanos();
    }
  }
}
