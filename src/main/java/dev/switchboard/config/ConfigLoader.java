package dev.switchboard.config;

import dev.switchboard.aws.sigv4.AwsCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link SwitchboardConfig}: defaults, then the YAML file, then environment variables, then flags.
 * Every mistake in the file fails the start with file:line:column and the reason; nothing is silently
 * corrected.
 */
public final class ConfigLoader {
  public static final int DEFAULT_PORT = 8040;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_BODY_LIMIT = 32L * 1024 * 1024;

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");

  private final Function<String, String> env;

  /** @param env how to read environment variables (System::getenv in production) */
  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** Command-line overrides; null fields mean "not given". */
  public record Flags(Path config, Integer port, String host, Path home, Path tlsCert, Path tlsKey) {
    public static final Flags NONE = new Flags(null, null, null, null);

    /** Without TLS overrides, as most callers (and every test that does not test TLS) need. */
    public Flags(Path config, Integer port, String host, Path home) {
      this(config, port, host, home, null, null);
    }
  }

  public SwitchboardConfig load(Flags flags) {
    Path file = flags.config() != null ? flags.config() : pathFromEnv("SWITCHBOARD_CONFIG");
    ConfigNode root = file == null ? null : readFile(file);
    Map<String, ConfigNode> top = root == null ? Map.of() : root.map();
    known(top, root, Set.of("server", "discovery", "providers", "models", "metering", "store", "redis", "metrics",
        "tracing", "logging"));

    Path home = flags.home() != null ? flags.home() : pathFromEnv("SWITCHBOARD_HOME");
    if (home == null) home = Path.of(System.getProperty("user.home"), ".switchboard");

    SwitchboardConfig.Server server = server(top.get("server"), file, flags);
    SwitchboardConfig.Discovery discovery = discovery(top.get("discovery"));
    Credentials credentials = new Credentials(home, env, this::resolved);
    List<SwitchboardConfig.Provider> providers = providers(top.get("providers"), credentials);
    List<SwitchboardConfig.Model> models = models(top.get("models"), providers);
    SwitchboardConfig.Store store = StoreSettings.read(top.get("store"), credentials, env, home, this::resolved);
    return new SwitchboardConfig(file, home, server, discovery, List.copyOf(providers), List.copyOf(models),
        credentials.plaintext(), metering(top.get("metering")), store, redis(top.get("redis")),
        metrics(top.get("metrics")), TracingSettings.read(top.get("tracing"), env, this::resolved),
        logging(top.get("logging")));
  }

  /**
   * {@code logging.format} ({@code text}, the default, or {@code json}; SWITCHBOARD_LOG_FORMAT wins),
   * {@code logging.requests} (an access line per request, default false) and {@code logging.redact} (patterns).
   */
  private SwitchboardConfig.Logging logging(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("format", "requests", "redact"));
    String envFormat = env.apply("SWITCHBOARD_LOG_FORMAT");
    ConfigNode f = m.get("format");
    String format = envFormat != null && !envFormat.isBlank() ? envFormat.trim() : f == null ? "text" : resolved(f).trim();
    if (!format.equals("text") && !format.equals("json")) {
      String message = "logging.format is '" + format + "'; it must be text (lines for a terminal) or json (one "
          + "object per line, for a log collector)";
      throw f != null && (envFormat == null || envFormat.isBlank()) ? f.error(message)
          : new ConfigException("SWITCHBOARD_LOG_FORMAT is '" + format + "'; it must be text or json");
    }
    boolean requests = false;
    ConfigNode r = m.get("requests");
    if (r != null) {
      String v = resolved(r).trim();
      if (!v.equals("true") && !v.equals("false")) {
        throw r.error("logging.requests is '" + v + "'; it must be true (an access log line per request) or false");
      }
      requests = v.equals("true");
    }
    List<String> redact = new java.util.ArrayList<>();
    ConfigNode list = m.get("redact");
    if (list != null) {
      for (ConfigNode p : list.list()) {
        String pattern = resolved(p);
        try {
          java.util.regex.Pattern.compile(pattern);
        } catch (java.util.regex.PatternSyntaxException e) {
          throw p.error("logging.redact has '" + pattern + "', which is not a regular expression: "
              + e.getDescription());
        }
        redact.add(pattern);
      }
    }
    return new SwitchboardConfig.Logging(format.equals("json"), requests, redact);
  }

  /**
   * {@code redis.url} (or SWITCHBOARD_REDIS_URL, which wins) and {@code redis.on_failure} ({@code closed}, the
   * default, or {@code open}); null when neither the section nor the variable is there.
   */
  private SwitchboardConfig.Redis redis(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("url", "on_failure"));
    String envUrl = env.apply("SWITCHBOARD_REDIS_URL");
    ConfigNode urlNode = m.get("url");
    String url = envUrl != null && !envUrl.isBlank() ? envUrl.trim() : urlNode == null ? null : resolved(urlNode).trim();
    if (url == null) {
      if (node != null) throw node.error("redis needs a url, such as redis://127.0.0.1:6379");
      return null;
    }
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      String shown = url.replaceAll("//[^@/]*@", "//***@");
      String message = "redis.url is '" + shown + "'; it must start with redis:// or rediss:// (TLS)";
      throw urlNode != null && envUrl == null ? urlNode.error(message)
          : new ConfigException("SWITCHBOARD_REDIS_URL is '" + shown + "'; it must start with redis:// or rediss://");
    }
    boolean open = false;
    ConfigNode f = m.get("on_failure");
    if (f != null) {
      String v = resolved(f).trim();
      if (!v.equals("closed") && !v.equals("open")) {
        throw f.error("redis.on_failure is '" + v + "'; it must be closed (refuse requests with a 503 while Redis is "
            + "unreachable) or open (go on with this instance's own limits and budgets)");
      }
      open = v.equals("open");
    }
    return new SwitchboardConfig.Redis(url, open);
  }

  /** {@code metrics.require_key}: false (the default) serves {@code /metrics} without a key. */
  private SwitchboardConfig.Metrics metrics(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("require_key"));
    return m.containsKey("require_key") ? new SwitchboardConfig.Metrics(m.get("require_key").bool())
        : SwitchboardConfig.Metrics.DEFAULT;
  }

  /** {@code metering.flush_interval}: 10ms to 1m, since a crash loses up to one interval of usage records. */
  private SwitchboardConfig.Metering metering(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("flush_interval", "spool_limit"));
    long spoolLimit = SwitchboardConfig.Metering.DEFAULT_SPOOL_LIMIT;
    if (m.containsKey("spool_limit")) spoolLimit = m.get("spool_limit").integer(0, 100_000_000);
    if (!m.containsKey("flush_interval")) {
      return new SwitchboardConfig.Metering(SwitchboardConfig.Metering.DEFAULT.flushInterval(), spoolLimit);
    }
    ConfigNode n = m.get("flush_interval");
    Duration d = duration(n);
    if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
      throw n.error("metering.flush_interval is " + resolved(n) + "; it must be between 10ms and 1m (a crash loses "
          + "up to one interval of usage records)");
    }
    return new SwitchboardConfig.Metering(d, spoolLimit);
  }

  private ConfigNode readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the config file (" + e.getMessage()
          + "). Check --config / SWITCHBOARD_CONFIG.", e);
    }
    return YamlTree.read(file, text);
  }

  private SwitchboardConfig.Server server(ConfigNode node, Path file, Flags flags) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("host", "port", "body_limit", "idle_timeout", "tls"));
    String host = m.containsKey("host") ? nameLike(m.get("host")) : DEFAULT_HOST;
    int port = m.containsKey("port") ? m.get("port").integer(0, 65535) : DEFAULT_PORT;
    long bodyLimit = m.containsKey("body_limit") ? size(m.get("body_limit")) : DEFAULT_BODY_LIMIT;
    Duration idle = m.containsKey("idle_timeout") ? duration(m.get("idle_timeout")) : Duration.ofMinutes(5);

    String envHost = env.apply("SWITCHBOARD_HOST");
    if (envHost != null && !envHost.isBlank()) host = envHost.trim();
    String envPort = env.apply("SWITCHBOARD_PORT");
    if (envPort != null && !envPort.isBlank()) port = portFromEnv(envPort.trim());
    if (flags.host() != null) host = flags.host();
    if (flags.port() != null) port = flags.port();
    return new SwitchboardConfig.Server(host, port, bodyLimit, idle, tls(m.get("tls"), file, flags));
  }

  /**
   * {@code server.tls}, then SWITCHBOARD_TLS_CERT / SWITCHBOARD_TLS_KEY, then --tls-cert / --tls-key, each file on its
   * own. Paths in the file are relative to the file's directory, so a config and its certificate can move together;
   * paths from the environment and flags are relative to the working directory, as a shell user expects.
   */
  private SwitchboardConfig.Tls tls(ConfigNode node, Path file, Flags flags) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("cert_file", "key_file"));
    Path envCert = pathFromEnv("SWITCHBOARD_TLS_CERT");
    Path envKey = pathFromEnv("SWITCHBOARD_TLS_KEY");
    // A file that is overridden is not read, so a shared config can name paths that exist only where it is deployed.
    Path cert = flags.tlsCert() != null ? readableFile(flags.tlsCert(), "--tls-cert", "certificate chain")
        : envCert != null ? readableFile(envCert, "SWITCHBOARD_TLS_CERT", "certificate chain")
        : node != null ? readableFile(required(m, node, "cert_file"), file, "certificate chain")
        : null;
    Path key = flags.tlsKey() != null ? readableFile(flags.tlsKey(), "--tls-key", "private key")
        : envKey != null ? readableFile(envKey, "SWITCHBOARD_TLS_KEY", "private key")
        : node != null ? readableFile(required(m, node, "key_file"), file, "private key")
        : null;
    if (cert == null && key == null) return null;
    if (cert == null || key == null) {
      throw new ConfigException("TLS needs both a certificate chain and its private key, but only the "
          + (cert == null ? "key (" + key + ") was given. Set the certificate too: server.tls.cert_file, "
              + "SWITCHBOARD_TLS_CERT or --tls-cert."
              : "certificate (" + cert + ") was given. Set the key too: server.tls.key_file, "
              + "SWITCHBOARD_TLS_KEY or --tls-key."));
    }
    return new SwitchboardConfig.Tls(cert, key);
  }

  private Path readableFile(ConfigNode node, Path configFile, String what) {
    Path path = Path.of(resolved(node));
    Path dir = configFile.toAbsolutePath().getParent();
    if (!path.isAbsolute() && dir != null) path = dir.resolve(path);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw node.error("cannot read the " + what + " file " + path + " (a PEM file; relative paths are relative to "
          + "the config file's directory)");
    }
    return path;
  }

  private static Path readableFile(Path path, String source, String what) {
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ConfigException(source + ": cannot read the " + what + " file " + path.toAbsolutePath()
          + " (a PEM file)");
    }
    return path.toAbsolutePath();
  }

  private SwitchboardConfig.Discovery discovery(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("enabled", "ollama_url", "vllm_url", "simulator"));
    boolean enabled = !m.containsKey("enabled") || m.get("enabled").bool();
    URI ollama = m.containsKey("ollama_url") ? url(m.get("ollama_url")) : URI.create("http://127.0.0.1:11434/v1");
    URI vllm = m.containsKey("vllm_url") ? url(m.get("vllm_url")) : URI.create("http://127.0.0.1:8000/v1");
    boolean simulator = !m.containsKey("simulator") || m.get("simulator").bool();
    return new SwitchboardConfig.Discovery(enabled, ollama, vllm, simulator);
  }

  private static final Set<String> AWS_KEYS = Set.of("aws_access_key_id", "aws_secret_access_key",
      "aws_session_token");

  private List<SwitchboardConfig.Provider> providers(ConfigNode node, Credentials credentials) {
    List<SwitchboardConfig.Provider> out = new ArrayList<>();
    if (node == null || node.value() == null) return out;
    Set<String> names = new HashSet<>();
    for (ConfigNode p : node.list()) {
      Map<String, ConfigNode> m = p.map();
      Set<String> allowed = new HashSet<>(Set.of("name", "type", "base_url", "api_key", "timeouts", "http2",
          "max_connections", "ca_file", "region"));
      if (m.containsKey("type") && "bedrock".equals(m.get("type").value())) allowed.addAll(AWS_KEYS);
      known(m, p, allowed);
      String name = nameLike(required(m, p, "name"));
      if (!names.add(name)) throw m.get("name").error("provider '" + name + "' is defined twice; names must be unique");
      String type = m.containsKey("type") ? m.get("type").text() : "openai";
      if (!type.equals("openai") && !type.equals("anthropic") && !type.equals("bedrock")
          && !type.equals("gemini")) {
        throw m.get("type").error("unknown provider type '" + type + "' (supported: openai — any OpenAI-compatible "
            + "server —, anthropic — the Anthropic Messages API —, bedrock — Bedrock Runtime Converse — and gemini — the Google Gemini API)");
      }
      URI baseUrl = url(required(m, p, "base_url"));
      if (baseUrl.getRawQuery() != null) {
        throw m.get("base_url").error("a base_url has no query (?…): Switchboard does not send it upstream, and a "
            + "credential there would be shown in logs and errors. Put the key in api_key");
      }
      String apiKey = m.containsKey("api_key") && m.get("api_key").value() != null
          ? credentials.read(m.get("api_key")) : null;
      AwsCredentials aws = awsCredentials(m, p, credentials);
      if (aws != null && apiKey != null) {
        throw m.get("api_key").error("give either api_key (a Bedrock API key, sent as a bearer token) or "
            + "aws_access_key_id and aws_secret_access_key (to sign with SigV4), not both");
      }
      SwitchboardConfig.Timeouts timeouts = timeouts(m.get("timeouts"));
      boolean http2 = !m.containsKey("http2") || m.get("http2").bool();
      int maxConnections = m.containsKey("max_connections") ? m.get("max_connections").integer(1, 100_000) : 256;
      Path caFile = null;
      if (m.containsKey("ca_file")) {
        caFile = Path.of(resolved(m.get("ca_file")));
        if (!Files.isReadable(caFile)) {
          throw m.get("ca_file").error("cannot read the CA certificate file " + caFile + " (a PEM file)");
        }
      }
      String region = m.containsKey("region") ? nameLike(m.get("region")) : null;
      out.add(new SwitchboardConfig.Provider(name, type, baseUrl, apiKey, timeouts, http2, maxConnections, caFile,
          region, aws));
    }
    return out;
  }

  /** A bedrock provider's static AWS keys, or null to use the environment and the shared credentials file. */
  private static AwsCredentials awsCredentials(Map<String, ConfigNode> m, ConfigNode provider,
      Credentials credentials) {
    if (!m.containsKey("aws_access_key_id") && !m.containsKey("aws_secret_access_key")) {
      if (m.containsKey("aws_session_token")) {
        throw m.get("aws_session_token").error("a session token goes with aws_access_key_id and "
            + "aws_secret_access_key; give them too");
      }
      return null;
    }
    String id = credentials.readIdentifier(required(m, provider, "aws_access_key_id")).strip();
    String secret = credentials.read(required(m, provider, "aws_secret_access_key")).strip();
    if (id.isEmpty() || secret.isEmpty()) {
      throw provider.error("aws_access_key_id and aws_secret_access_key must not be empty");
    }
    ConfigNode token = m.get("aws_session_token");
    String session = token == null || token.value() == null ? null : credentials.read(token).strip();
    return new AwsCredentials(id, secret, session == null || session.isEmpty() ? null : session);
  }

  private SwitchboardConfig.Timeouts timeouts(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("connect", "first_byte", "idle", "total"));
    SwitchboardConfig.Timeouts d = SwitchboardConfig.Timeouts.DEFAULT;
    return new SwitchboardConfig.Timeouts(
        m.containsKey("connect") ? duration(m.get("connect")) : d.connect(),
        m.containsKey("first_byte") ? duration(m.get("first_byte")) : d.firstByte(),
        m.containsKey("idle") ? duration(m.get("idle")) : d.idle(),
        m.containsKey("total") ? duration(m.get("total")) : d.total());
  }

  private static final Set<String> STRATEGIES = Set.of("cheapest", "latency", "weighted", "priority");
  private static final Set<String> CAPABILITIES = Set.of("tools", "vision", "json_schema", "reasoning");
  private static final Set<String> DEPLOYMENT_KEYS = Set.of("provider", "model", "region", "price", "cost_per_hour",
      "context_window", "max_output", "capabilities", "residency", "hardware", "weight", "priority",
      "max_concurrency");
  private static final Set<String> MODEL_KEYS = Set.of("name", "deployments", "strategy", "strict", "fallbacks",
      "on_context_overflow", "on_content_filter", "retry", "timeout", "continue_streams");

  /**
   * A model is either the short form, one deployment's settings beside its name ({@code {name, provider,
   * model, price, ...}}), or a name with a {@code deployments} list; the routing settings go beside the name in
   * both.
   */
  private List<SwitchboardConfig.Model> models(ConfigNode node, List<SwitchboardConfig.Provider> providers) {
    List<SwitchboardConfig.Model> out = new ArrayList<>();
    if (node == null || node.value() == null) return out;
    Set<String> providerNames = new java.util.LinkedHashSet<>();
    providers.forEach(p -> providerNames.add(p.name()));
    Set<String> names = new HashSet<>();
    List<ConfigNode[]> references = new ArrayList<>();
    for (ConfigNode n : node.list()) {
      Map<String, ConfigNode> m = n.map();
      boolean listed = m.containsKey("deployments");
      Set<String> allowed = new HashSet<>(MODEL_KEYS);
      if (!listed) allowed.addAll(DEPLOYMENT_KEYS);
      if (listed && m.containsKey("provider")) {
        throw m.get("provider").error("give either 'provider' (one deployment) or 'deployments' (a list), not both");
      }
      known(m, n, allowed);
      String name = nameLike(required(m, n, "name"));
      if (!names.add(name)) throw m.get("name").error("model '" + name + "' is defined twice; names must be unique");
      List<SwitchboardConfig.Deployment> deployments = new ArrayList<>();
      if (listed) {
        List<ConfigNode> list = m.get("deployments").list();
        if (list.isEmpty()) throw m.get("deployments").error("a model needs at least one deployment");
        for (ConfigNode d : list) {
          Map<String, ConfigNode> dm = d.map();
          known(dm, d, DEPLOYMENT_KEYS);
          deployments.add(deployment(dm, d, name, providerNames));
        }
      } else {
        deployments.add(deployment(m, n, name, providerNames));
      }
      String strategy = SwitchboardConfig.Model.ROUTING_DEFAULT;
      if (m.containsKey("strategy")) {
        strategy = m.get("strategy").text();
        if (!STRATEGIES.contains(strategy)) {
          throw m.get("strategy").error("unknown strategy '" + strategy + "' (known: cheapest, latency, weighted, "
              + "priority)");
        }
      }
      boolean strict = m.containsKey("strict") && m.get("strict").bool();
      boolean continueStreams = m.containsKey("continue_streams") && m.get("continue_streams").bool();
      List<String> fallbacks = new ArrayList<>();
      if (m.containsKey("fallbacks")) {
        for (ConfigNode f : m.get("fallbacks").list()) {
          fallbacks.add(f.text());
          references.add(new ConfigNode[] {f, m.get("name")});
        }
      }
      String overflow = m.containsKey("on_context_overflow") ? m.get("on_context_overflow").text() : null;
      if (overflow != null) references.add(new ConfigNode[] {m.get("on_context_overflow"), m.get("name")});
      String filter = m.containsKey("on_content_filter") ? m.get("on_content_filter").text() : null;
      if (filter != null) references.add(new ConfigNode[] {m.get("on_content_filter"), m.get("name")});
      SwitchboardConfig.Retry retry = retry(m.get("retry"));
      Duration timeout = m.containsKey("timeout") ? duration(m.get("timeout"))
          : SwitchboardConfig.Model.DEFAULT_TIMEOUT;
      out.add(new SwitchboardConfig.Model(name, deployments, strategy, strict, fallbacks, overflow, filter, retry,
          timeout, continueStreams));
    }
    for (ConfigNode[] ref : references) {
      String target = ref[0].text();
      if (!names.contains(target)) {
        throw ref[0].error("no model named '" + target + "' (defined: " + String.join(", ", names.stream().sorted()
            .toList()) + ")");
      }
      if (target.equals(ref[1].text())) throw ref[0].error("a model cannot fall back to itself");
    }
    return out;
  }

  private SwitchboardConfig.Deployment deployment(Map<String, ConfigNode> m, ConfigNode n, String modelName,
      Set<String> providerNames) {
    ConfigNode providerNode = required(m, n, "provider");
    String provider = providerNode.text();
    if (!providerNames.contains(provider)) {
      throw providerNode.error("no provider named '" + provider + "' (defined: " + String.join(", ", providerNames)
          + ")");
    }
    String upstream = m.containsKey("model") ? m.get("model").text() : modelName;
    String region = m.containsKey("region") ? nameLike(m.get("region")) : null;
    SwitchboardConfig.Price price = m.containsKey("price") ? price(m.get("price")) : null;
    Double perHour = m.containsKey("cost_per_hour") ? decimal(m.get("cost_per_hour")).doubleValue() : null;
    if (price != null && perHour != null) {
      throw m.get("cost_per_hour").error("give either 'price' (per token) or 'cost_per_hour' (self-hosted), not both");
    }
    Integer context = m.containsKey("context_window") ? m.get("context_window").integer(1, 100_000_000) : null;
    Integer maxOutput = m.containsKey("max_output") ? m.get("max_output").integer(1, 100_000_000) : null;
    Set<String> capabilities = tags(m.get("capabilities"), CAPABILITIES);
    Set<String> residency = tags(m.get("residency"), null);
    String hardware = m.containsKey("hardware") ? nameLike(m.get("hardware")) : null;
    int weight = m.containsKey("weight") ? m.get("weight").integer(0, 1_000_000) : 1;
    int priority = m.containsKey("priority") ? m.get("priority").integer(0, 1_000_000) : 0;
    int maxConcurrency = m.containsKey("max_concurrency") ? m.get("max_concurrency").integer(1, 1_000_000) : 0;
    return new SwitchboardConfig.Deployment(provider, upstream, region, price, perHour, context, maxOutput,
        capabilities, residency, hardware, weight, priority, maxConcurrency);
  }

  private SwitchboardConfig.Price price(ConfigNode node) {
    Map<String, ConfigNode> m = node.map();
    known(m, node, Set.of("input", "output", "cache_read", "cache_write"));
    return new SwitchboardConfig.Price(decimal(required(m, node, "input")), decimal(required(m, node, "output")),
        m.containsKey("cache_read") ? decimal(m.get("cache_read")) : null,
        m.containsKey("cache_write") ? decimal(m.get("cache_write")) : null);
  }

  private SwitchboardConfig.Retry retry(ConfigNode node) {
    Map<String, ConfigNode> m = mapOrEmpty(node);
    known(m, node, Set.of("attempts", "budget", "backoff", "max_backoff", "hedge_after"));
    SwitchboardConfig.Retry d = SwitchboardConfig.Retry.DEFAULT;
    double budget = d.budget();
    if (m.containsKey("budget")) {
      budget = decimal(m.get("budget")).doubleValue();
      if (budget > 10) throw m.get("budget").error("a retry budget is a share of requests, from 0 to 10 (0.2 = 20 %)");
    }
    return new SwitchboardConfig.Retry(
        m.containsKey("attempts") ? m.get("attempts").integer(1, 10) : d.maxAttempts(),
        budget,
        m.containsKey("backoff") ? duration(m.get("backoff")) : d.backoff(),
        m.containsKey("max_backoff") ? duration(m.get("max_backoff")) : d.maxBackoff(),
        m.containsKey("hedge_after") ? duration(m.get("hedge_after")) : null);
  }

  private static java.math.BigDecimal decimal(ConfigNode node) {
    try {
      java.math.BigDecimal v = new java.math.BigDecimal(node.text().trim());
      if (v.signum() >= 0) return v;
    } catch (NumberFormatException ignored) {
      // the message below says what is expected
    }
    throw node.error("expected a number of zero or more (like 0.15 or 3), got " + node.describe());
  }

  private static Set<String> tags(ConfigNode node, Set<String> allowed) {
    if (node == null || node.value() == null) return Set.of();
    Set<String> out = new java.util.LinkedHashSet<>();
    for (ConfigNode t : node.list()) {
      String v = t.text();
      if (allowed != null && !allowed.contains(v)) {
        throw t.error("unknown value '" + v + "' (known: " + String.join(", ", allowed.stream().sorted().toList())
            + ")");
      }
      out.add(v);
    }
    return out;
  }

  // ---- value helpers --------------------------------------------------------------------------

  private static Map<String, ConfigNode> mapOrEmpty(ConfigNode node) {
    return node == null || node.value() == null ? Map.of() : node.map();
  }

  private static ConfigNode required(Map<String, ConfigNode> m, ConfigNode parent, String key) {
    ConfigNode n = m.get(key);
    if (n == null || n.value() == null) throw parent.error("'" + key + "' is required");
    return n;
  }

  private static void known(Map<String, ConfigNode> m, ConfigNode parent, Set<String> allowed) {
    for (Map.Entry<String, ConfigNode> e : m.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw e.getValue().error("unknown setting '" + e.getKey() + "' (known here: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private String resolved(ConfigNode node) {
    String raw = node.text();
    Matcher m = ENV_REF.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null || value.isEmpty()) value = m.group(2);
      if (value == null) {
        throw node.error("environment variable " + m.group(1) + " is not set (write ${" + m.group(1)
            + ":-default} to give a default)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String nameLike(ConfigNode node) {
    String s = resolved(node);
    if (!NAME.matcher(s).matches()) {
      throw node.error("'" + s + "' is not a valid name (letters, digits, and . _ : / -)");
    }
    return s;
  }

  private URI url(ConfigNode node) {
    String s = resolved(node);
    // A password in a URL would be shown by every message that names the URL, this one included.
    String shown = USER_INFO.matcher(s).replaceFirst("//<credentials>@");
    try {
      URI uri = new URI(s);
      if (uri.getRawUserInfo() != null) {
        throw node.error("'" + shown + "' carries credentials (user:password@), which Switchboard does not send and "
            + "would show in logs; remove them, and put a key in api_key");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw node.error("'" + shown + "' is not an http(s) URL like http://127.0.0.1:8000/v1");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw node.error("'" + shown + "' is not a URL: " + e.getReason().replace(s, shown));
    }
  }

  private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

  private Duration duration(ConfigNode node) {
    Duration d = Units.duration(resolved(node));
    if (d == null || d.isZero()) {
      throw node.error(node.describe() + " is not a duration; write it like 500ms, 30s, 5m or 1h");
    }
    return d;
  }

  private long size(ConfigNode node) {
    long n = Units.size(resolved(node));
    if (n <= 0) throw node.error(node.describe() + " is not a size; write it like 1048576, 512KiB or 32MiB");
    return n;
  }

  private Path pathFromEnv(String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? null : Path.of(v.trim());
  }

  private static int portFromEnv(String v) {
    try {
      int p = Integer.parseInt(v);
      if (p >= 0 && p <= 65535) return p;
    } catch (NumberFormatException ignored) {
      // fall through to the message below
    }
    throw new ConfigException("SWITCHBOARD_PORT: '" + v + "' is not a port number (0 to 65535)");
  }
}
