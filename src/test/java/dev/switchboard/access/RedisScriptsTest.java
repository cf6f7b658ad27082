package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.LocalRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admission and end scripts against a real Redis: the bucket and budget arithmetic that RedisAdmission relies
 * on, call by call. Each test uses keys of its own (a fresh subject name), so they share one server.
 */
final class RedisScriptsTest {
  private static final RedisLink.Script ADMIT = RedisLink.Script.load("admit.lua");
  private static final RedisLink.Script END = RedisLink.Script.load("end.lua");
  private static final AtomicInteger SUBJECTS = new AtomicInteger();
  private static Vertx vertx;
  private static RedisLink link;

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    link = new RedisLink(vertx, LocalRedis.shared().url());
    link.start();
    assertThat(link.up()).isTrue();
  }

  @AfterAll
  static void close() throws Exception {
    link.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The script's keys and arguments for one subject: its key and team buckets, and its budget accounts. */
  private record Subject(String key, String team, List<String> accounts) {
    static Subject fresh(int accounts) {
      String s = "test:" + SUBJECTS.incrementAndGet();
      List<String> a = new ArrayList<>();
      for (int i = 0; i < accounts; i++) a.add(s + ":budget:" + i);
      return new Subject(s + ":rl:key", s + ":rl:team", a);
    }

    List<String> keys() {
      List<String> k = new ArrayList<>(List.of(key, team));
      for (String a : accounts) {
        k.add(a);
        k.add(a + ":holds");
      }
      return k;
    }
  }

  private static List<String> args(long tokens, long[] keyLimits, long[] teamLimits, long worst, String hold,
      long holdTtlMs, long... accountLimits) {
    List<String> a = new ArrayList<>();
    a.add(Long.toString(tokens));
    for (long l : keyLimits) a.add(Long.toString(l));
    for (long l : teamLimits) a.add(Long.toString(l));
    a.add(Long.toString(worst));
    a.add(hold);
    a.add(Long.toString(holdTtlMs));
    a.add(Integer.toString(accountLimits.length));
    for (long l : accountLimits) {
      a.add(Long.toString(l));
      a.add("0");
    }
    return a;
  }

  private static final long[] NONE = {-1, -1, -1};

  private static long[] limits(long rpm, long tpm, long concurrency) {
    return new long[] {rpm, tpm, concurrency};
  }

  private static Response admit(Subject s, List<String> args) throws Exception {
    return link.eval(ADMIT, s.keys(), args).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static void end(Subject s, long tokenDelta, long[] keyLimits, long[] teamLimits, long cost, String member)
      throws Exception {
    List<String> a = new ArrayList<>();
    a.add(Long.toString(tokenDelta));
    for (long l : keyLimits) a.add(Long.toString(l));
    for (long l : teamLimits) a.add(Long.toString(l));
    a.add(Long.toString(cost));
    a.add(member);
    a.add(Integer.toString(s.accounts.size()));
    a.add("60000");
    List<String> keys = s.keys();
    keys.add(s.key + ":settled:" + member);
    link.eval(END, keys, a).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String field(String hash, String field) throws Exception {
    Response r = link.send(Request.cmd(Command.HGET).arg(hash).arg(field)).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    return r == null ? null : r.toString();
  }

  private static void open(String account, long spent) throws Exception {
    link.send(Request.cmd(Command.HSET).arg(account).arg("spent").arg(spent)).toCompletionStage()
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aRequestsBucketAdmitsItsLimitThenSaysHowLongToWait() throws Exception {
    Subject s = Subject.fresh(0);
    long[] rpm2 = limits(2, -1, -1);
    Response first = admit(s, args(0, rpm2, NONE, 0, "h", 1000));
    assertThat(first.get(0).toString()).isEqualTo("ok");
    // The key's view: limit 2, 1 left, a full bucket again in 30 s (in ms); the team has none.
    assertThat(first.get(2).toLong()).isEqualTo(2);
    assertThat(first.get(3).toLong()).isEqualTo(1);
    assertThat(first.get(4).toLong()).isBetween(29_000L, 30_000L);
    assertThat(first.get(8).toLong()).isEqualTo(-1);
    assertThat(admit(s, args(0, rpm2, NONE, 0, "h", 1000)).get(0).toString()).isEqualTo("ok");
    Response third = admit(s, args(0, rpm2, NONE, 0, "h", 1000));
    assertThat(third.get(0).toString()).isEqualTo("limit");
    assertThat(third.get(1).toInteger()).as("scope: the key").isEqualTo(1);
    assertThat(third.get(2).toInteger()).as("dimension: requests").isEqualTo(1);
    assertThat(third.get(3).toLong()).isEqualTo(2);
    assertThat(third.get(5).toLong()).as("left").isZero();
    assertThat(third.get(6).toLong()).as("ms until one request fits").isBetween(29_000L, 30_000L);
  }

  @Test
  void aTokensBucketRefusesWhatCanNeverFitAndCorrectsByActualUsage() throws Exception {
    Subject s = Subject.fresh(0);
    long[] tpm100 = limits(-1, 100, -1);
    Response never = admit(s, args(150, tpm100, NONE, 0, "h", 1000));
    assertThat(never.get(0).toString()).isEqualTo("limit");
    assertThat(never.get(2).toInteger()).isEqualTo(2);
    assertThat(never.get(6).toLong()).as("never fits").isEqualTo(-1);
    assertThat(admit(s, args(60, tpm100, NONE, 0, "h", 1000)).get(0).toString()).isEqualTo("ok");
    Response over = admit(s, args(60, tpm100, NONE, 0, "h", 1000));
    assertThat(over.get(0).toString()).isEqualTo("limit");
    assertThat(over.get(5).toLong()).as("left").isEqualTo(40);
    // The first request used only 10 of its 60: the 50 come back, and 60 more fit.
    end(s, -50, tpm100, NONE, 0, "h:0");
    assertThat(admit(s, args(60, tpm100, NONE, 0, "h", 1000)).get(0).toString()).isEqualTo("ok");
  }

  @Test
  void aTeamRefusalLeavesTheKeyUncountedAndConcurrencyFreesAtTheEnd() throws Exception {
    Subject s = Subject.fresh(0);
    long[] key = limits(5, -1, 1);
    long[] team = limits(1, -1, -1);
    assertThat(admit(s, args(0, key, team, 0, "h", 1000)).get(0).toString()).isEqualTo("ok");
    Response busy = admit(s, args(0, key, NONE, 0, "h", 1000));
    assertThat(busy.get(2).toInteger()).as("concurrency").isEqualTo(3);
    end(s, 0, key, team, 0, "h:0");
    Response byTeam = admit(s, args(0, key, team, 0, "h", 1000));
    assertThat(byTeam.get(0).toString()).isEqualTo("limit");
    assertThat(byTeam.get(1).toInteger()).as("scope: the team").isEqualTo(2);
    assertThat(field(s.key, "f")).as("the key's in-flight count").isEqualTo("0");
    long used = Long.parseLong(field(s.key, "r"));
    assertThat(used).as("one request (60,000 units) minus its refill since").isBetween(1L, 60_000L);
  }

  @Test
  void budgetsAreLoadedFirstThenReservedAllOrNoneAndSettledAtTheirCost() throws Exception {
    Subject s = Subject.fresh(2);
    Response missing = admit(s, args(0, NONE, NONE, 40, "a", 60_000, 100, 1_000));
    assertThat(missing.get(0).toString()).isEqualTo("missing");
    assertThat(missing.size()).isEqualTo(3);
    open(s.accounts.get(0), 0);
    open(s.accounts.get(1), 900);
    // The second account (limit 1,000, 900 spent) binds: two holds of 40 fit in the first, not one in the second...
    Response second = admit(s, args(0, NONE, NONE, 40, "a", 60_000, 100, 1_000));
    assertThat(second.get(0).toString()).isEqualTo("ok");
    assertThat(second.get(14).toString()).isEqualTo("0");
    assertThat(second.get(15).toString()).isEqualTo("900");
    assertThat(admit(s, args(0, NONE, NONE, 40, "b", 60_000, 100, 1_000)).get(0).toString()).isEqualTo("ok");
    Response full = admit(s, args(0, NONE, NONE, 40, "c", 60_000, 100, 1_000));
    assertThat(full.get(0).toString()).isEqualTo("budget");
    assertThat(full.get(1).toInteger()).isEqualTo(1);
    assertThat(full.get(2).toString()).isEqualTo("0");
    assertThat(full.get(3).toString()).as("reserved").isEqualTo("80");
    assertThat(full.get(4).toLong()).as("holds").isEqualTo(2);
    // ...and nothing of the refused request was counted in either.
    assertThat(field(s.accounts.get(1), "reserved")).isEqualTo("80");
    end(s, 0, NONE, NONE, 30, "a:40");
    end(s, 0, NONE, NONE, 30, "a:40"); // a settlement sent twice (a retry whose first answer was lost) counts once
    assertThat(field(s.accounts.get(0), "reserved")).isEqualTo("40");
    assertThat(field(s.accounts.get(0), "spent")).isEqualTo("30");
    assertThat(field(s.accounts.get(1), "spent")).isEqualTo("930");
  }

  @Test
  void aHoldNeverSettledExpires() throws Exception {
    Subject s = Subject.fresh(1);
    open(s.accounts.get(0), 0);
    assertThat(admit(s, args(0, NONE, NONE, 60, "lost", 0, 100)).get(0).toString()).isEqualTo("ok");
    // A hold whose time has come is freed by the next admission: 60 more fit in 100.
    assertThat(admit(s, args(0, NONE, NONE, 60, "next", 60_000, 100)).get(0).toString()).isEqualTo("ok");
    assertThat(field(s.accounts.get(0), "reserved")).isEqualTo("60");
    // Its settlement, arriving late, counts the cost without freeing the hold a second time.
    end(s, 0, NONE, NONE, 50, "lost:60");
    assertThat(field(s.accounts.get(0), "reserved")).isEqualTo("60");
    assertThat(field(s.accounts.get(0), "spent")).isEqualTo("50");
  }
}
