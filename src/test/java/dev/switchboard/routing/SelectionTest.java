package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.provider.Provider;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

final class SelectionTest {
  private final ManualTicker ticker = new ManualTicker();
  private final RandomGenerator random = new SplittableRandom(7);

  /** Selection never calls a provider; it only needs a name. */
  private record Named(String name) implements Provider {
    @Override
    public String describe() {
      return name;
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  private static SwitchboardConfig.Deployment d(String provider, String region, String input, String output,
      int weight, int priority, Set<String> residency, Integer window) {
    SwitchboardConfig.Price price = input == null ? null
        : new SwitchboardConfig.Price(new BigDecimal(input), new BigDecimal(output), null, null);
    return new SwitchboardConfig.Deployment(provider, "m-" + provider, region, price, null, window, null, Set.of(),
        residency, null, weight, priority, 0);
  }

  private Catalog catalog(String strategy, SwitchboardConfig.Deployment... ds) {
    Map<String, Provider> providers = new HashMap<>();
    for (var d : ds) providers.put(d.provider(), new Named(d.provider()));
    var model = new SwitchboardConfig.Model("m", List.of(ds), strategy, false, List.of(), null, null,
        SwitchboardConfig.Retry.DEFAULT, Duration.ofMinutes(1), false);
    return Catalog.builder(ticker).add(model, providers, Map.of()).build();
  }

  private List<String> order(Catalog c, Demand demand) {
    Catalog.Route r = c.resolve("m");
    return Selection.plan(r, demand, Regions.of(c.routes()), random).order().stream()
        .map(x -> x.provider().name()).toList();
  }

  @Test
  void cheapestOrdersByBlendedPriceWithUnknownPricesLastAndTiesInConfigOrder() {
    Catalog c = catalog("cheapest",
        d("unknown", "r1", null, null, 1, 0, Set.of(), null),
        d("dear", "r1", "3", "15", 1, 0, Set.of(), null),
        d("cheap-a", "r1", "1", "1", 1, 0, Set.of(), null),
        d("cheap-b", "r2", "1", "1", 1, 0, Set.of(), null));
    assertThat(order(c, Demand.NONE)).containsExactly("cheap-a", "cheap-b", "dear", "unknown");
  }

  @Test
  void priorityFollowsThePriorityNumberThenConfigOrder() {
    Catalog c = catalog("priority",
        d("second", "r1", "1", "1", 1, 2, Set.of(), null),
        d("first", "r1", "9", "9", 1, 1, Set.of(), null),
        d("third", "r1", "1", "1", 1, 2, Set.of(), null));
    assertThat(order(c, Demand.NONE)).containsExactly("first", "second", "third");
  }

  @Test
  void weightedSharesFirstPlacesByWeight() {
    Catalog c = catalog("weighted",
        d("three", "r1", null, null, 3, 0, Set.of(), null),
        d("one", "r1", null, null, 1, 0, Set.of(), null),
        d("never", "r1", null, null, 0, 0, Set.of(), null));
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 4000; i++) first.merge(order(c, Demand.NONE).getFirst(), 1, Integer::sum);
    assertThat(first.get("three")).isBetween(2800, 3200);
    assertThat(first.get("one")).isBetween(800, 1200);
    assertThat(first).doesNotContainKey("never");
  }

  @Test
  void latencyPrefersTheFasterDeploymentOnceMeasured() {
    Catalog c = catalog("latency",
        d("slow", "r1", null, null, 1, 0, Set.of(), null),
        d("fast", "r1", null, null, 1, 0, Set.of(), null));
    Catalog.Route r = c.resolve("m");
    r.deployments().get(0).health.timeToFirstByte.add(900);
    r.deployments().get(1).health.timeToFirstByte.add(40);
    for (int i = 0; i < 50; i++) assertThat(order(c, Demand.NONE)).containsExactly("fast", "slow");
  }

  @Test
  void anEjectedDeploymentComesLastAndAMostlyDownRegionAfterHealthyOnes() {
    Catalog c = catalog("cheapest",
        d("east-1", "east", "1", "1", 1, 0, Set.of(), null),
        d("east-2", "east", "2", "2", 1, 0, Set.of(), null),
        d("east-3", "east", "3", "3", 1, 0, Set.of(), null),
        d("west", "west", "9", "9", 1, 0, Set.of(), null));
    List<Deployment> ds = c.resolve("m").deployments();
    ds.get(0).health.breaker.onFailure(true);
    assertThat(order(c, Demand.NONE)).containsExactly("east-2", "east-3", "west", "east-1");
    ds.get(1).health.breaker.onFailure(true);
    assertThat(order(c, Demand.NONE)).containsExactly("west", "east-3", "east-1", "east-2");
  }

  @Test
  void aPreferredRegionComesFirst() {
    Catalog c = catalog("cheapest",
        d("us", "us-east", "1", "1", 1, 0, Set.of(), null),
        d("eu", "eu-west", "2", "2", 1, 0, Set.of(), null));
    assertThat(order(c, new Demand(null, Set.of(), 0, Set.of(), "eu-west", null))).containsExactly("eu", "us");
  }

  @Test
  void constraintsLeaveOutWhatCannotServeAndSayWhyWhenNothingCan() {
    Catalog c = catalog("cheapest",
        d("us", "us-east", "1", "1", 1, 0, Set.of("us"), 8000),
        d("eu", "eu-west", "5", "5", 1, 0, Set.of("eu"), 200000));
    assertThat(order(c, new Demand(null, Set.of(), 0, Set.of("eu"), null, null))).containsExactly("eu");
    assertThat(order(c, new Demand(null, Set.of(), 50_000, Set.of(), null, null))).containsExactly("eu");
    assertThat(order(c, new Demand(null, Set.of(), 0, Set.of(), null, new BigDecimal("2")))).containsExactly("us");
    var plan = Selection.plan(c.resolve("m"), new Demand(null, Set.of(), 0, Set.of("uk"), null, null),
        Regions.of(c.routes()), random);
    assertThat(plan.order()).isEmpty();
    assertThat(plan.refusal()).contains("model 'm'", "residency must be one of uk", "us/m-us");
  }

  @Test
  void aSelfHostedDeploymentIsPricedFromItsHourlyCostAndMeasuredSpeed() {
    var hourly = new SwitchboardConfig.Deployment("gpu-box", "llama", null, null, 3.6, null, null, Set.of(), Set.of(),
        "gpu", 1, 0, 10);
    Deployment d = Catalog.builder(ticker).add(new SwitchboardConfig.Model("m", List.of(hourly), "cheapest", false,
        List.of(), null, null, SwitchboardConfig.Retry.DEFAULT, Duration.ofMinutes(1), false),
        Map.of("gpu-box", new Named("gpu-box")), Map.of()).build().resolve("m").deployments().getFirst();
    assertThat(d.price()).as("unknown until measured").isNull();
    d.health.tokensPerSecond.add(100); // 100 tokens/s per request × 10 in flight = 1000 tokens/s = 3.6M tokens/h
    assertThat(d.price().output()).isEqualByComparingTo("1");
    assertThat(d.blendedPrice()).isEqualByComparingTo("1");
    assertThat(d.priceSource()).contains("cost_per_hour 3.6", "1000 tokens/s");
  }

  @Test
  void theBuiltInPriceListPricesAKnownModelAndNamesItsSource() {
    Map<String, Provider> providers = Map.of("bedrock", new Named("bedrock"));
    var model = SwitchboardConfig.Model.single("claude", "bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0",
        false);
    Deployment d = Catalog.builder(ticker).add(model, providers, Map.of()).build().resolve("claude").deployments()
        .getFirst();
    assertThat(d.price().input()).isEqualByComparingTo("3");
    assertThat(d.price().cacheRead()).isEqualByComparingTo("0.30");
    assertThat(d.priceSource()).contains("Anthropic", "2025-05-22");
  }
}
