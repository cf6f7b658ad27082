package dev.switchboard.metrics;

import dev.switchboard.access.Budget;
import dev.switchboard.access.BudgetBook;
import dev.switchboard.access.KeyRing;
import dev.switchboard.access.SharedAccess;
import dev.switchboard.access.Team;
import dev.switchboard.access.VirtualKey;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.provider.Provider;
import dev.switchboard.provider.anthropic.AnthropicProvider;
import dev.switchboard.provider.bedrock.BedrockProvider;
import dev.switchboard.provider.gemini.GeminiProvider;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Deployment;
import dev.switchboard.routing.HealthReadout;
import dev.switchboard.store.Store;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Prometheus metrics ({@code GET /metrics}; every metric is listed in docs/operations.md, "Metrics").
 *
 * <p>Per request it only counts: it hears each ended exchange as an {@link ExchangeObserver} on the exchange's event
 * loop and updates the series of that exchange's labels, resolved once per label set and cached ({@link #ended} takes
 * no lock and builds no strings). Health, budgets, the spool, Redis and the store are read when scraped, so the request
 * path pays nothing for them.
 *
 * <p>Labels are bounded: models, deployments and regions are the configured ones (anything else, as a pass-through
 * provider may bring, is {@code other}), teams are the teams; never a request id, key secret or prompt.
 *
 * <p>Thread-safe. {@link #scrape} waits up to a second for the store's health check: call it on a worker thread.
 */
public final class GatewayMetrics implements ExchangeObserver {
  private static final Logger log = LoggerFactory.getLogger(GatewayMetrics.class);
  static final String OTHER = "other";
  /** Seconds; from 5 ms (a cached refusal) to 5 min (a long generation). */
  private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
      120, 300};
  /** The OpenTelemetry GenAI semantic conventions' advised boundaries for {@code gen_ai.client.token.usage}. */
  static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
      16777216, 67108864};
  /** The same for {@code gen_ai.client.operation.duration}, in seconds. */
  static final double[] OPERATION_BUCKETS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
      40.96, 81.92};
  /** The same for {@code gen_ai.server.time_to_first_token}, in seconds. */
  static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
      5.0, 7.5, 10.0};
  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  /**
   * What is read at scrape time.
   *
   * @param budgets this instance's budget book, or null when budgets are counted elsewhere (in Redis)
   * @param redis Redis's state, or null when the gateway runs without Redis
   */
  public record Sources(Catalog catalog, List<Provider> providers, KeyRing ring, BudgetBook budgets,
      LongSupplier spooled, Store store, String storeType, Supplier<SharedAccess.RedisState> redis) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Sources sources;
  private final KeyRing ring;
  private final Set<String> models = new HashSet<>();
  private final Map<String, Deployment> deployments = new HashMap<>();
  /** Provider name → {@code gen_ai.provider.name} (the semantic conventions' well-known values). */
  private final Map<String, String> genAiProviders = new HashMap<>();
  private final LongAdder inFlight = new LongAdder();
  private static final long STORE_WAIT_MILLIS = 1_000;
  private volatile Thread storeCheck;
  private volatile boolean storeAnswer;
  /** Whether counting an exchange ever failed: logged once. Racy on purpose; a second log line would do no harm. */
  private boolean failed;

  private final Counter requests;
  private final Counter errors;
  private final Histogram duration;
  private final Histogram firstByte;
  private final Counter cost;
  private final Histogram tokens;
  private final Histogram operation;
  private final Histogram timeToFirstToken;
  private final ConcurrentHashMap<RequestKey, RequestSeries> requestSeries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<GenAiKey, GenAiSeries> genAiSeries = new ConcurrentHashMap<>();

  public GatewayMetrics(Sources sources) {
    this.sources = sources;
    this.ring = sources.ring();
    for (Catalog.Route r : sources.catalog().routes()) models.add(r.model());
    for (Deployment d : HealthReadout.deployments(sources.catalog())) deployments.put(d.id(), d);
    for (Provider p : sources.providers()) genAiProviders.put(p.name(), genAiProvider(p));

    requests = counter("switchboard_requests_total", "Requests the gateway answered, by front door, endpoint, "
        + "model, status class and outcome", "front_door", "endpoint", "model", "status", "outcome");
    errors = counter("switchboard_errors_total", "Requests that ended in an error, by front door, endpoint and kind",
        "front_door", "endpoint", "kind");
    duration = histogram("switchboard_request_duration_seconds", "Time from the request's arrival to the end of its "
        + "answer", LATENCY_BUCKETS, "front_door", "endpoint", "model", "stream");
    firstByte = histogram("switchboard_time_to_first_byte_seconds", "Time from the request's arrival to the first "
        + "byte of its answer", LATENCY_BUCKETS, "front_door", "endpoint", "model", "stream");
    cost = counter("switchboard_cost_usd_total", "What the served requests cost at their deployments' prices, in USD",
        "model", "deployment", "team");
    GaugeWithCallback.builder().name("switchboard_requests_in_flight")
        .help("Requests received and not yet answered").callback(cb -> cb.call(inFlight.sum())).register(registry);

    String[] genAi = {"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
        "gen_ai_response_model", "deployment", "region", "team"};
    tokens = histogram("gen_ai_client_token_usage", "Number of input and output tokens used (OpenTelemetry "
        + "gen_ai.client.token.usage)", TOKEN_BUCKETS, append(genAi, "gen_ai_token_type"));
    operation = histogram("gen_ai_client_operation_duration_seconds", "GenAI operation duration (OpenTelemetry "
        + "gen_ai.client.operation.duration)", OPERATION_BUCKETS, append(genAi, "error_type"));
    timeToFirstToken = histogram("gen_ai_server_time_to_first_token_seconds", "Time to the first token of successful "
        + "streamed responses (OpenTelemetry gen_ai.server.time_to_first_token)", TTFT_BUCKETS, genAi);

    registerScrapeTime();
  }

  /** An exchange began; {@link #ended} is told of its end. Called on the exchange's event loop. */
  public void started() {
    inFlight.increment();
  }

  @Override
  public void ended(ExchangeRecord r) {
    inFlight.decrement();
    try {
      count(r);
    } catch (RuntimeException e) {
      // An observer must not throw (the observers after it would miss the exchange); a bug here costs metrics only.
      if (!failed) log.error("metrics: could not count an exchange; later failures are not logged", e);
      failed = true;
    }
  }

  private void count(ExchangeRecord r) {
    String model = model(r.model());
    RequestSeries rs = requestSeries.computeIfAbsent(
        new RequestKey(r.endpoint(), model, r.status(), r.outcome(), r.stream()), this::requestSeries);
    rs.requests.inc();
    if (rs.errors != null) rs.errors.inc();
    rs.duration.observe(r.durationNanos() / 1e9);
    if (r.firstByteNanos() >= 0) rs.firstByte.observe(r.firstByteNanos() / 1e9);

    String operationName = operation(r.endpoint());
    if (operationName == null || r.deployment() == null) return; // not a GenAI operation, or never reached one
    String team = team(r.teamId());
    // Normalised before keying, so that a pass-through provider's endless model names cannot grow the cache either.
    String deployment = deployments.containsKey(r.deployment()) ? r.deployment() : OTHER;
    GenAiSeries gs = genAiSeries.computeIfAbsent(new GenAiKey(operationName, r.provider(), model, deployment, team,
        rs.errorKind), this::genAiSeries);
    if (r.usage() != null) {
      gs.input.observe(r.usage().inputTokens());
      gs.output.observe(r.usage().outputTokens());
    }
    gs.operation.observe(r.durationNanos() / 1e9);
    if (r.stream() && rs.errorKind == null && r.firstByteNanos() >= 0) gs.ttft.observe(r.firstByteNanos() / 1e9);
    BigDecimal c = r.cost();
    if (c != null && c.signum() > 0) gs.cost.inc(c.doubleValue());
  }

  /** A scrape: the metrics in the format {@code accept} asks for (OpenMetrics, else Prometheus text 0.0.4). */
  public record Scrape(String contentType, byte[] body) {}

  /** Collects every metric now. May wait up to a second for the store's health check: call on a worker thread. */
  public Scrape scrape(String accept) {
    ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : TEXT;
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(writer.getContentType(), out.toByteArray());
  }

  private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
  private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

  private void registerScrapeTime() {
    List<Deployment> all = HealthReadout.deployments(sources.catalog());
    GaugeWithCallback.builder().name("switchboard_circuit_state")
        .help("Each deployment's circuit breaker: 0 closed, 1 half-open, 2 open (ejected)")
        .labelNames("deployment", "provider", "region")
        .callback(cb -> {
          for (Deployment d : all) cb.call(HealthReadout.circuit(d), d.id(), d.provider().name(), d.region());
        }).register(registry);
    CounterWithCallback.builder().name("switchboard_upstream_attempts_total")
        .help("Upstream attempts (first tries, retries, failovers and hedges) by deployment and how they ended")
        .labelNames("deployment", "provider", "region", "result")
        .callback(cb -> {
          for (Deployment d : all) {
            for (int i = 0; i < HealthReadout.RESULTS.size(); i++) {
              cb.call(HealthReadout.attempts(d, i), d.id(), d.provider().name(), d.region(),
                  HealthReadout.RESULTS.get(i));
            }
          }
        }).register(registry);
    GaugeWithCallback.builder().name("switchboard_usage_spool_records")
        .help("Usage records waiting on disk for the store to answer")
        .callback(cb -> cb.call(sources.spooled().getAsLong())).register(registry);
    GaugeWithCallback.builder().name("switchboard_store_up")
        .help("Whether the store (keys, teams, usage ledger) answers: 1 up, 0 down")
        .labelNames("type")
        .callback(cb -> cb.call(storeUp() ? 1 : 0, sources.storeType())).register(registry);
    if (sources.redis() != null) {
      GaugeWithCallback.builder().name("switchboard_redis_up")
          .help("Whether the Redis that limits and budgets are shared through answers: 1 up, 0 down")
          .callback(cb -> cb.call(sources.redis().get().up() ? 1 : 0)).register(registry);
    }
    if (sources.budgets() != null) {
      BudgetBook book = sources.budgets();
      GaugeWithCallback.builder().name("switchboard_budget_remaining_usd")
          .help("What each key's and team's budget has left in its current window, in USD")
          .labelNames("scope", "id", "name", "period")
          .callback(cb -> {
            for (Team t : ring.teams()) {
              for (Budget b : t.budgets()) {
                cb.call(book.remaining(null, t.id(), b).doubleValue(), "team", t.id(), t.name(), b.period().label());
              }
            }
            for (VirtualKey k : ring.keys()) {
              for (Budget b : k.budgets()) {
                cb.call(book.remaining(k.id(), null, b).doubleValue(), "key", k.id(), k.name(), b.period().label());
              }
            }
          }).register(registry);
    }
  }

  /**
   * Asks the store (one trivial query) and waits at most {@value #STORE_WAIT_MILLIS} ms, so that a hung database
   * cannot make the scrape time out when it is most needed: no answer by then counts as down. A check still running
   * is waited for again rather than joined by another, so checks never pile up.
   */
  private boolean storeUp() {
    Thread check = storeCheck;
    if (check == null || !check.isAlive()) {
      check = Thread.ofVirtual().name("switchboard-metrics-store").start(() -> {
        boolean up;
        try {
          up = sources.store().health().up();
        } catch (RuntimeException e) {
          up = false;
        }
        storeAnswer = up;
      });
      storeCheck = check;
    }
    try {
      if (!check.join(java.time.Duration.ofMillis(STORE_WAIT_MILLIS))) return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return storeAnswer;
  }

  private RequestSeries requestSeries(RequestKey k) {
    String frontDoor = frontDoor(k.endpoint);
    String endpoint = k.endpoint;
    String model = k.model == null ? "" : k.model;
    String stream = Boolean.toString(k.stream);
    String status = statusClass(k.status);
    String kind = errorKind(k.outcome, k.status);
    return new RequestSeries(
        requests.labelValues(frontDoor, endpoint, model, status, k.outcome),
        kind == null ? null : errors.labelValues(frontDoor, endpoint, kind),
        duration.labelValues(frontDoor, endpoint, model, stream),
        firstByte.labelValues(frontDoor, endpoint, model, stream), kind);
  }

  private GenAiSeries genAiSeries(GenAiKey k) {
    Deployment d = deployments.get(k.deployment);
    String deployment = d == null ? OTHER : d.id();
    String region = d == null ? OTHER : d.region();
    String responseModel = d == null ? OTHER : d.upstreamModel();
    String provider = k.provider == null ? OTHER : genAiProviders.getOrDefault(k.provider, OTHER);
    String model = k.model == null ? "" : k.model;
    String team = k.team == null ? "" : k.team;
    String error = k.errorKind == null ? "" : k.errorKind;
    return new GenAiSeries(
        tokens.labelValues(k.operation, provider, model, responseModel, deployment, region, team, "input"),
        tokens.labelValues(k.operation, provider, model, responseModel, deployment, region, team, "output"),
        operation.labelValues(k.operation, provider, model, responseModel, deployment, region, team, error),
        timeToFirstToken.labelValues(k.operation, provider, model, responseModel, deployment, region, team),
        cost.labelValues(model, deployment, team));
  }

  private String model(String name) {
    return name == null || models.contains(name) ? name : OTHER;
  }

  /** The team's name (what dashboards show), its id if it has none, "" for the master key. */
  private String team(String teamId) {
    if (teamId == null) return null;
    Team t = ring.team(teamId);
    return t == null || t.name() == null ? teamId : t.name();
  }

  private static String statusClass(int status) {
    int c = status / 100;
    return c >= 0 && c < STATUS_CLASSES.length ? STATUS_CLASSES[c] : "other";
  }

  /** The protocol spoken, as {@link ExchangeRecord#frontDoor()} says; {@code admin} and the like say so. */
  private static String frontDoor(String endpoint) {
    return switch (endpoint) {
      case "messages", "count_tokens" -> "anthropic";
      case "converse", "invoke" -> "bedrock";
      case "chat", "embeddings" -> "openai";
      default -> endpoint; // models, admin, unknown: not a front door's inference call
    };
  }

  /** {@code gen_ai.operation.name}, or null when the endpoint is no GenAI operation. */
  private static String operation(String endpoint) {
    return switch (endpoint) {
      case "chat", "messages", "converse", "invoke" -> "chat";
      case "embeddings" -> "embeddings";
      default -> null;
    };
  }

  /**
   * What went wrong, from the outcome and the status, or null when nothing did. A budget refusal is a
   * {@code rate_limit} (429) like a rate limit.
   */
  static String errorKind(String outcome, int status) {
    return switch (outcome) {
      case "completed" -> status < 400 ? null : "upstream";
      case "client_gone" -> "client_gone";
      case "upstream_error" -> "upstream";
      case "timeout" -> "timeout";
      case "truncated" -> "truncated";
      case "internal" -> "internal";
      default -> switch (status) {
        case 400, 405 -> "invalid_request";
        case 401 -> "authentication";
        case 403 -> "permission";
        case 404 -> "not_found";
        case 413 -> "too_large";
        case 415 -> "unsupported_media";
        case 429 -> "rate_limit";
        case 503 -> "unavailable";
        default -> "rejected";
      };
    };
  }

  /** The semantic conventions' {@code gen_ai.provider.name} for each kind of provider. */
  private static String genAiProvider(Provider p) {
    if (p instanceof AnthropicProvider) return "anthropic";
    if (p instanceof BedrockProvider) return "aws.bedrock";
    if (p instanceof GeminiProvider) return "gcp.gemini";
    return "openai"; // OpenAI and every OpenAI-compatible server
  }

  /** Classic buckets only (what the text format shows), and no exemplars: a traced request must not add labels. */
  private Histogram histogram(String name, String help, double[] buckets, String... labels) {
    Histogram.Builder b = Histogram.builder().name(name).help(help).labelNames(labels).classicOnly()
        .classicUpperBounds(buckets);
    b.withoutExemplars();
    return b.register(registry);
  }

  private Counter counter(String name, String help, String... labels) {
    Counter.Builder b = Counter.builder().name(name).help(help).labelNames(labels);
    b.withoutExemplars();
    return b.register(registry);
  }

  private static String[] append(String[] a, String last) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = last;
    return out;
  }

  private record RequestKey(String endpoint, String model, int status, String outcome, boolean stream) {}

  private record RequestSeries(CounterDataPoint requests, CounterDataPoint errors, DistributionDataPoint duration,
      DistributionDataPoint firstByte, String errorKind) {}

  private record GenAiKey(String operation, String provider, String model, String deployment, String team,
      String errorKind) {}

  private record GenAiSeries(DistributionDataPoint input, DistributionDataPoint output,
      DistributionDataPoint operation, DistributionDataPoint ttft, CounterDataPoint cost) {}
}
