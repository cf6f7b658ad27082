package dev.switchboard.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, validated and immutable. Built by {@link ConfigLoader} from defaults, the
 * optional YAML file, environment variables and command-line flags, in that order of precedence (last wins).
 *
 * @param source the file it came from, or null for the zero-config start
 * @param plaintextCredentials the credential fields written in the file in plain text (neither encrypted nor an
 *     {@code ${ENV}} reference), each as {@code path (file:line:column)}, for the start to warn about; never values
 */
public record SwitchboardConfig(
    Path source,
    Path home,
    Server server,
    Discovery discovery,
    List<Provider> providers,
    List<Model> models,
    List<String> plaintextCredentials,
    Metering metering,
    Store store,
    Redis redis,
    Metrics metrics,
    Tracing tracing,
    Logging logging) {

  /** With the default {@code metrics:}, traces off and the default logging. */
  public SwitchboardConfig(Path source, Path home, Server server, Discovery discovery, List<Provider> providers,
      List<Model> models, List<String> plaintextCredentials, Metering metering, Store store, Redis redis) {
    this(source, home, server, discovery, providers, models, plaintextCredentials, metering, store, redis,
        Metrics.DEFAULT, Tracing.OFF, Logging.DEFAULT);
  }

  /**
   * {@code GET /metrics}.
   *
   * @param requireKey whether a scrape must carry the master key (as {@code Authorization: Bearer}); off by default,
   *     as Prometheus scrapers usually have no key, though the answer names teams, models and what they spend
   */
  public record Metrics(boolean requireKey) {
    public static final Metrics DEFAULT = new Metrics(false);
  }

  /**
   * OpenTelemetry traces, exported over OTLP/HTTP (protobuf). Read by {@code TracingSettings}: the file, then the
   * standard OTEL_* variables, which win.
   *
   * @param enabled off by default: then no OpenTelemetry object is created at all
   * @param endpoint the full URL spans are POSTed to ({@code …/v1/traces})
   * @param sampleRatio the share of new traces kept, 0 to 1; a client's sampled flag is followed when it sends one
   */
  public record Tracing(boolean enabled, URI endpoint, double sampleRatio, String serviceName) {
    public static final URI DEFAULT_ENDPOINT = URI.create("http://127.0.0.1:4318/v1/traces");
    public static final Tracing OFF = new Tracing(false, DEFAULT_ENDPOINT, 1.0, "switchboard");
  }

  /**
   * How the gateway logs.
   *
   * @param json one JSON object per line (for servers) instead of text lines (for a laptop)
   * @param requests an access log line per request ({@code switchboard.access} at INFO), without content or keys
   * @param redact regular expressions of further secrets to redact from captured content (keys whose content is
   *     logged), on top of the built-in API key, bearer token and AWS key patterns
   */
  public record Logging(boolean json, boolean requests, List<String> redact) {
    public static final Logging DEFAULT = new Logging(false, false, List.of());

    public Logging {
      redact = List.copyOf(redact);
    }
  }

  /** Without a {@code store:} section (the embedded store) and without Redis. */
  public SwitchboardConfig(Path source, Path home, Server server, Discovery discovery, List<Provider> providers,
      List<Model> models, List<String> plaintextCredentials, Metering metering) {
    this(source, home, server, discovery, providers, models, plaintextCredentials, metering, Store.EMBEDDED, null);
  }

  /** Without Redis: one instance, limits and budgets in memory. */
  public SwitchboardConfig(Path source, Path home, Server server, Discovery discovery, List<Provider> providers,
      List<Model> models, List<String> plaintextCredentials, Metering metering, Store store) {
    this(source, home, server, discovery, providers, models, plaintextCredentials, metering, store, null);
  }

  /**
   * Redis, shared by every instance for rate limits, budget reservations and key-cache invalidation; null when not
   * configured (then all of that stays in this instance's memory).
   *
   * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://…} (TLS)
   * @param failOpen what admission does while Redis is unreachable: false refuses requests with a 503 (closed);
   *     true falls back to this instance's own in-memory limits and budgets (open)
   */
  public record Redis(String url, boolean failOpen) {
    @Override
    public String toString() {
      return "Redis[" + url.replaceAll("//[^@/]*@", "//***@") + ", " + (failOpen ? "open" : "closed") + "]";
    }
  }

  /**
   * Where teams, keys and the usage ledger live.
   *
   * @param type {@code sqlite} (the embedded file in the state directory) or {@code postgres}
   * @param url the {@code jdbc:postgresql://} URL (postgres only, else null)
   * @param user null for the driver's default
   * @param password null when the server needs none; already decrypted
   * @param poolSize connections kept open to PostgreSQL
   */
  public record Store(String type, String url, String user, String password, int poolSize) {
    public static final Store EMBEDDED = new Store("sqlite", null, null, null, 0);

    public boolean postgres() {
      return "postgres".equals(type);
    }

    @Override
    public String toString() { // never the password
      return "Store[type=" + type + ", url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
  }

  /**
   * Usage metering.
   *
   * @param flushInterval how often queued usage records are written to the store: also what a crash can lose
   * @param spoolLimit usage records kept on disk at most while the store cannot be written
   */
  public record Metering(Duration flushInterval, long spoolLimit) {
    public static final long DEFAULT_SPOOL_LIMIT = 1_000_000;
    public static final Metering DEFAULT = new Metering(Duration.ofMillis(200));

    public Metering(Duration flushInterval) {
      this(flushInterval, DEFAULT_SPOOL_LIMIT);
    }
  }

  /**
   * The listening side.
   *
   * @param tls the certificate and key to serve HTTPS with, or null to listen in cleartext
   */
  public record Server(String host, int port, long bodyLimitBytes, Duration idleTimeout, Tls tls) {}

  /**
   * The gateway's own certificate: with it the one port speaks HTTPS only (HTTP/2 or HTTP/1.1, chosen by ALPN).
   * Both files are known to be readable; their content is checked when the gateway starts.
   *
   * @param certFile the PEM certificate chain, the server's certificate first
   * @param keyFile the PEM private key of that certificate, unencrypted
   */
  public record Tls(Path certFile, Path keyFile) {}

  /** What the zero-config start looks for when no providers are configured. */
  public record Discovery(boolean enabled, URI ollamaUrl, URI vllmUrl, boolean simulator) {}

  /** Per-provider upstream timeouts; see docs/configuration.md. */
  public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofSeconds(60), Duration.ofMinutes(10));
  }

  /**
   * An upstream. {@code type} is {@code openai} (any OpenAI-compatible server), {@code anthropic} or
   * {@code bedrock} (Bedrock Runtime's Converse API) or {@code gemini} (the Google Gemini API).
   *
   * @param apiKey the credential, already resolved from its {@code ${ENV}} reference and decrypted; null when none
   * @param caFile PEM certificates to trust for this https upstream instead of the JVM's defaults, or null
   * @param region the AWS region a {@code bedrock} provider signs for, or null (then taken from the host
   *     name {@code bedrock-runtime.<region>.amazonaws.com}, else AWS_REGION, else us-east-1)
   * @param awsCredentials a {@code bedrock} provider's static AWS keys from the config, decrypted; null to read them
   *     from the environment and the shared credentials file
   */
  public record Provider(String name, String type, URI baseUrl, String apiKey, Timeouts timeouts,
      boolean http2, int maxConnections, Path caFile, String region,
      dev.switchboard.aws.sigv4.AwsCredentials awsCredentials) {
    /** A provider without AWS keys in the config. */
    public Provider(String name, String type, URI baseUrl, String apiKey, Timeouts timeouts, boolean http2,
        int maxConnections, Path caFile, String region) {
      this(name, type, baseUrl, apiKey, timeouts, http2, maxConnections, caFile, region, null);
    }

    @Override
    public String toString() {
      // Never print the credential.
      return "Provider[" + name + ", " + type + ", " + baseUrl + "]";
    }
  }

  /**
   * A logical model name clients use, served by one or more deployments.
   *
   * @param strategy how a deployment is chosen: {@code cheapest}, {@code latency}, {@code weighted} or
   *     {@code priority}
   * @param strict refuse (400) a translated request that would lose features, instead of dropping them
   * @param fallbacks other logical models tried, in order, when every deployment of this one failed
   * @param onContextOverflow the logical model a request goes to when it is too large for this one's
   *     context window (as estimated, or as an upstream said), or null
   * @param onContentFilter the logical model a request goes to when an upstream refused it by its content
   *     filter, or null
   * @param retry how failed attempts are retried
   * @param timeout the one deadline covering every attempt of a request
   * @param continueStreams continue a stream that broke after bytes reached the client on another deployment,
   *     with the text already sent as a prefill, instead of ending it with an in-stream error
   */
  public record Model(String name, List<Deployment> deployments, String strategy, boolean strict,
      List<String> fallbacks, String onContextOverflow, String onContentFilter, Retry retry, Duration timeout,
      boolean continueStreams) {
    public Model {
      deployments = List.copyOf(deployments);
      fallbacks = List.copyOf(fallbacks);
    }

    /** A model with one deployment and every default, as the short form {@code {name, provider, model}} gives. */
    public static Model single(String name, String provider, String upstreamModel, boolean strict) {
      return new Model(name, List.of(Deployment.of(provider, upstreamModel)), ROUTING_DEFAULT, strict, List.of(), null,
          null, Retry.DEFAULT, DEFAULT_TIMEOUT, false);
    }

    public static final String ROUTING_DEFAULT = "cheapest";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  }

  /**
   * One place a logical model is served: a provider, the upstream's id for the model there, and what the
   * router weighs. Null numbers are unknown (prices then come from the built-in price list, if it has them).
   *
   * @param region where it runs; null for the provider's region
   * @param price USD per million tokens, or null
   * @param costPerHour USD per hour for a self-hosted deployment, whose per-token price then follows from its
   *     measured throughput; or null
   * @param capabilities of {@code tools}, {@code vision}, {@code json_schema}, {@code reasoning}; empty when
   *     not declared (then nothing is assumed missing)
   * @param residency data-residency tags (e.g. {@code eu}, {@code us}); empty when none
   * @param hardware e.g. {@code gpu}, {@code tpu}, {@code trainium}; null when not given
   * @param weight share of traffic under the {@code weighted} strategy
   * @param priority order under the {@code priority} strategy (lower first); ties keep config order
   * @param maxConcurrency requests in flight at most, or 0 for no fixed limit
   */
  public record Deployment(String provider, String upstreamModel, String region, Price price, Double costPerHour,
      Integer contextWindow, Integer maxOutput, java.util.Set<String> capabilities, java.util.Set<String> residency,
      String hardware, int weight, int priority, int maxConcurrency) {
    public Deployment {
      capabilities = java.util.Set.copyOf(capabilities);
      residency = java.util.Set.copyOf(residency);
    }

    public static Deployment of(String provider, String upstreamModel) {
      return new Deployment(provider, upstreamModel, null, null, null, null, null, java.util.Set.of(),
          java.util.Set.of(), null, 1, 0, 0);
    }
  }

  /** USD per million tokens; cache prices null when the deployment has no prompt cache or they are unknown. */
  public record Price(java.math.BigDecimal input, java.math.BigDecimal output, java.math.BigDecimal cacheRead,
      java.math.BigDecimal cacheWrite) {}

  /**
   * @param maxAttempts attempts per request at most, the first included
   * @param budget retries allowed as a share of requests (0.2: one retry per five requests), beyond a small
   *     reserve for quiet times
   * @param backoff the first delay before retrying on a deployment already tried; doubled each time, with jitter
   * @param maxBackoff the longest such delay
   * @param hedgeAfter when the first attempt has no answer after this long, a second (hedged) attempt starts on
   *     another deployment and the first to answer wins; null for no hedging
   */
  public record Retry(int maxAttempts, double budget, Duration backoff, Duration maxBackoff, Duration hedgeAfter) {
    public static final Retry DEFAULT = new Retry(3, 0.2, Duration.ofMillis(100), Duration.ofSeconds(2), null);
  }
}
