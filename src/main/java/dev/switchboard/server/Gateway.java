package dev.switchboard.server;

import dev.switchboard.access.AccessControl;
import dev.switchboard.access.Authenticator;
import dev.switchboard.access.BudgetBook;
import dev.switchboard.access.Keys;
import dev.switchboard.access.RateLimiter;
import dev.switchboard.access.SecretBox;
import dev.switchboard.access.SharedAccess;
import dev.switchboard.access.MasterKey;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.frontdoor.anthropic.AnthropicFrontDoor;
import dev.switchboard.frontdoor.bedrock.BedrockFrontDoor;
import dev.switchboard.frontdoor.openai.OpenAiFrontDoor;
import dev.switchboard.provider.Provider;
import dev.switchboard.provider.anthropic.AnthropicProvider;
import dev.switchboard.provider.bedrock.BedrockProvider;
import dev.switchboard.provider.gemini.GeminiProvider;
import dev.switchboard.provider.openai.OpenAiCompatibleProvider;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Router;
import dev.switchboard.logging.AccessLog;
import dev.switchboard.logging.ContentLog;
import dev.switchboard.logging.Redactor;
import dev.switchboard.metering.Meter;
import dev.switchboard.metrics.GatewayMetrics;
import dev.switchboard.store.PostgresStore;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import dev.switchboard.admin.AdminApi;
import dev.switchboard.admin.EventLog;
import dev.switchboard.admin.Pulse;
import dev.switchboard.admin.RoutesEndpoint;
import dev.switchboard.sim.Simulator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.VerticleBase;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: providers, catalog, front doors and the listening server, assembled with plain
 * constructors. {@link #start} blocks until it listens; {@link #close} stops everything it started.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** How long {@code /health/ready} waits for its sources: well inside a load balancer's check timeout. */
  private static final long READY_DEADLINE_MILLIS = 2_000;

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final MasterKey masterKey;
  private final Catalog catalog;
  private final List<Provider> providers;
  private final List<String> notes;
  private final Simulator simulator;
  private final ServerCertificate certificate;
  private final int port;
  private final Store store;
  private final Meter meter;
  /** Null when tracing is off. */
  private dev.switchboard.tracing.Tracing tracing;
  private final Keys keys;
  private final SharedAccess shared;
  /** The access log and the content log: closed after the server, before the store. Set once, in start. */
  private AutoCloseable requestLogs = () -> {};

  private Gateway(Vertx vertx, SwitchboardConfig config, MasterKey masterKey, Catalog catalog,
      List<Provider> providers, List<String> notes, Simulator simulator, ServerCertificate certificate, int port,
      Store store, Meter meter, Keys keys, SharedAccess shared) {
    this.vertx = vertx;
    this.config = config;
    this.masterKey = masterKey;
    this.catalog = catalog;
    this.providers = providers;
    this.notes = notes;
    this.simulator = simulator;
    this.certificate = certificate;
    this.port = port;
    this.store = store;
    this.meter = meter;
    this.keys = keys;
    this.shared = shared;
  }

  /**
   * Starts a gateway and returns once it listens.
   *
   * @param env environment lookup (System::getenv in production; tests pass their own)
   * @param observer told about every finished exchange
   */
  public static Gateway start(SwitchboardConfig config, Function<String, String> env, ExchangeObserver observer) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    Store store = null;
    Meter meter = null;
    SharedAccess shared = null;
    dev.switchboard.tracing.Tracing tracing = null;
    AutoCloseable requestLogs = () -> {};
    try {
      SwitchboardConfig.Tls tls = config.server().tls();
      ServerCertificate certificate = tls == null ? null : ServerCertificate.load(tls, vertx);
      MasterKey key = MasterKey.load(config.home(), env);
      for (String field : config.plaintextCredentials()) {
        log.warn("{} is a credential in plain text; encrypt it with 'switchboard secrets encrypt' or write an "
            + "${ENV} reference (docs/configuration.md, Secrets)", field);
      }
      List<Provider> providers = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      Catalog.Builder catalog = Catalog.builder();
      Map<String, Provider> byName = new HashMap<>();
      for (SwitchboardConfig.Provider p : config.providers()) {
        Provider provider = switch (p.type()) {
          case "anthropic" -> new AnthropicProvider(vertx, p);
          case "bedrock" -> new BedrockProvider(vertx, p, env);
          case "gemini" -> new GeminiProvider(vertx, p);
          default -> new OpenAiCompatibleProvider(vertx, p);
        };
        providers.add(provider);
        byName.put(p.name(), provider);
      }
      Map<String, String> regions = new HashMap<>();
      for (SwitchboardConfig.Provider p : config.providers()) if (p.region() != null) regions.put(p.name(), p.region());
      for (SwitchboardConfig.Model m : config.models()) catalog.add(m, byName, regions);
      Simulator simulator = null;
      if (config.providers().isEmpty() && config.discovery().enabled()) {
        Discovery discovery = new Discovery(vertx, env);
        discovery.run(config.discovery(), catalog);
        providers.addAll(discovery.providers);
        notes.addAll(discovery.notes);
        simulator = discovery.simulator;
      }
      Catalog built = catalog.build();
      store = openStore(config.store(), config.home());
      // Before the budgets are rebuilt from the ledger: a spool left by an earlier run is written first, so that
      // the spend it holds counts.
      Meter metering = meter = config.metering().spoolLimit() == 0
          ? new Meter(store, config.metering().flushInterval())
          : new Meter(store, config.metering().flushInterval(), config.home(), config.metering().spoolLimit());
      // The config loader has read this key already if the config holds encrypted values, and never creates one;
      // here it is created on the first start, for the SigV4 secrets of virtual keys. Both read the same source.
      SecretBox box = SecretBox.load(config.home(), env);
      Keys keys = Keys.load(store, box);
      BudgetBook budgets = new BudgetBook(store, keys.ring(), java.time.InstantSource.system());
      AccessControl access = new AccessControl(new RateLimiter(), budgets);
      // With Redis, limits and budgets are counted there, shared by every instance; this instance's own are the
      // fallback of on_failure: open.
      if (config.redis() != null) shared = SharedAccess.start(vertx, config.redis(), keys, store, access, built);
      Router router = new Router(vertx, built, shared != null ? shared.admission() : access);
      SharedAccess sharedAccess = shared;
      // With Redis the budgets are counted there; this instance's book is only the fallback, so it is not shown.
      GatewayMetrics metrics = new GatewayMetrics(new GatewayMetrics.Sources(built, List.copyOf(providers), keys.ring(),
          shared == null ? budgets : null, metering::spooled, store, config.store().type(),
          shared == null ? null : sharedAccess::state));
      ExchangeObserver client = observer;
      Pulse pulse = new Pulse(java.time.InstantSource.system()); // the dashboard's live numbers
      EventLog events = new EventLog(built, java.time.InstantSource.system());
      List<String> providerKeys = new ArrayList<>();
      for (SwitchboardConfig.Provider p : config.providers()) providerKeys.add(p.apiKey());
      ContentLog contentLog = new ContentLog(store, new Redactor(config.logging().redact(), providerKeys));
      AccessLog accessLog = config.logging().requests() ? new AccessLog() : null;
      requestLogs = () -> {
        if (accessLog != null) accessLog.close();
        contentLog.close();
      };
      observer = new ExchangeObserver() {
        @Override
        public void ended(dev.switchboard.exchange.ExchangeRecord r) {
          metering.ended(r);
          metrics.ended(r);
          pulse.ended(r);
          if (accessLog != null) accessLog.ended(r);
          client.ended(r);
        }

        @Override
        public void content(dev.switchboard.exchange.ExchangeRecord r, dev.switchboard.exchange.CapturedContent c) {
          contentLog.content(r, c);
        }
      };
      Authenticator authenticator = new Authenticator(key, keys.ring());
      GatewayHandler handler = new GatewayHandler(authenticator, new OpenAiFrontDoor(built, router),
          new AnthropicFrontDoor(built, router), new BedrockFrontDoor(built, router, key, authenticator, keys.ring()),
          new RoutesEndpoint(built, router), new AdminApi(vertx, keys, store, built, pulse, events),
          observer, config.server().bodyLimitBytes(),
          new Readiness(vertx, healthSources(config.store(), store, metering, shared), providers.size(),
              READY_DEADLINE_MILLIS),
          new MetricsEndpoint(metrics, authenticator, config.metrics().requireKey()));
      if (config.tracing().enabled()) handler.traces(tracing = dev.switchboard.tracing.Tracing.start(config.tracing()));
      int port = listen(vertx, config.server(), certificate, handler, loops);
      Gateway gateway = new Gateway(vertx, config, key, built, List.copyOf(providers), List.copyOf(notes), simulator,
          certificate, port, store, meter, keys, shared);
      gateway.tracing = tracing;
      gateway.requestLogs = requestLogs;
      return gateway;
    } catch (RuntimeException e) {
      closeQuietly(requestLogs);
      if (shared != null) shared.close();
      vertx.close();
      if (tracing != null) tracing.close();
      if (meter != null) meter.close();
      if (store != null) store.close();
      throw e;
    }
  }

  /** What {@code /health/ready} asks: the store (with the Meter's spool) and Redis ({@code off} without it). */
  private static List<HealthSource> healthSources(SwitchboardConfig.Store settings, Store store, Meter meter,
      SharedAccess shared) {
    return List.of(new StoreHealth(store, settings.type(), meter::spooled),
        shared == null ? HealthSource.off("redis") : new RedisHealth(shared));
  }

  /**
   * The configured store. PostgreSQL must answer at start: keys and teams are loaded from it into memory, and a
   * gateway without them would refuse every virtual key. Once started, an outage degrades (the Meter spools usage,
   * the admin API answers 503) instead of failing requests.
   */
  private static Store openStore(SwitchboardConfig.Store s, java.nio.file.Path home) {
    if (!s.postgres()) return SqliteStore.open(home);
    try {
      return PostgresStore.open(s.url(), s.user(), s.password(), s.poolSize());
    } catch (Store.Unavailable e) {
      throw new IllegalStateException(e.getMessage() + ". Switchboard loads keys and teams from PostgreSQL at start, "
          + "so it must be reachable then: check store.url, store.user and store.password (docs/operations.md, "
          + "Running on PostgreSQL)", e);
    }
  }

  /**
   * One server instance per event loop, all on the same port: the kernel spreads connections over them. In cleartext
   * the port takes HTTP/1.1 and HTTP/2 with prior knowledge (h2c); with a certificate it takes only TLS, and ALPN
   * picks HTTP/2 or HTTP/1.1. A client that offers no ALPN gets HTTP/1.1: Vert.x looks for the HTTP/2 preface only
   * on cleartext connections, so HTTP/2 over TLS needs ALPN (docs/compatibility.md says what that means for clients).
   */
  private static int listen(Vertx vertx, SwitchboardConfig.Server server, ServerCertificate certificate,
      GatewayHandler handler, int instances) {
    int[] bound = new int[1];
    HttpServerOptions options = new HttpServerOptions()
        .setHost(server.host())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout((int) server.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHandle100ContinueAutomatically(true);
    if (certificate != null) {
      options.setSsl(true)
          .setKeyCertOptions(certificate.options())
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    }
    try {
      HttpServerOptions opts = options.setPort(server.port());
      Discovery.await(vertx.deployVerticle(() -> new ServerVerticle(opts, handler, bound),
          new DeploymentOptions().setInstances(instances)), 10_000);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot listen on " + server.host() + ":" + server.port() + " ("
          + cause.getMessage() + "). Is another Switchboard running? Choose a port with --port or SWITCHBOARD_PORT.",
          cause);
    }
    return bound[0];
  }

  private static final class ServerVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final GatewayHandler handler;
    private final int[] bound;

    ServerVerticle(HttpServerOptions options, GatewayHandler handler, int[] bound) {
      this.options = options;
      this.handler = handler;
      this.bound = bound;
    }

    @Override
    public Future<?> start() {
      HttpServer server = vertx.createHttpServer(options).requestHandler(handler);
      // Vert.x shares one listening socket among the servers of a Vertx instance that listen on the same port, but
      // never on port 0: there each server binds a random port of its own. A "shared random port" is bound once by
      // the first instance and shared by the others, which is what "any free port" means for us.
      SocketAddress address = options.getPort() == 0
          ? SocketAddress.sharedRandomPort(1, options.getHost())
          : SocketAddress.inetSocketAddress(options.getPort(), options.getHost());
      return server.listen(address).onSuccess(s -> bound[0] = s.actualPort());
    }
  }

  public int port() {
    return port;
  }

  /** The base URL for OpenAI SDKs, ending in {@code /v1}; {@code https://} when the gateway serves TLS. */
  public String openAiBaseUrl() {
    String host = config.server().host();
    if (host.equals("0.0.0.0") || host.equals("::")) host = "127.0.0.1";
    if (host.contains(":")) host = "[" + host + "]";
    return (certificate != null ? "https://" : "http://") + host + ":" + port + "/v1";
  }

  /** The certificate the gateway presents to its clients, or null when it listens in cleartext. */
  public X509Certificate certificate() {
    return certificate == null ? null : certificate.leaf();
  }

  public MasterKey masterKey() {
    return masterKey;
  }

  public Catalog catalog() {
    return catalog;
  }

  public List<Provider> providers() {
    return providers;
  }

  /** What zero-config discovery found, one line each; empty when providers were configured. */
  public List<String> discoveryNotes() {
    return notes;
  }

  /** The in-process simulator, or null when real providers were found or configured. */
  public Simulator simulator() {
    return simulator;
  }

  public SwitchboardConfig config() {
    return config;
  }

  @Override
  public void close() {
    try {
      if (simulator != null) simulator.close();
      if (shared != null) shared.close();
      Discovery.await(vertx.close(), 10_000);
    } catch (Exception e) {
      log.warn("gateway did not stop cleanly: {}", e.toString());
    } finally {
      // After the server, like the meter: every exchange has ended, and its spans are queued for export.
      if (tracing != null) tracing.close();
      meter.close(); // after the server: every exchange has ended, and its record is written
      closeQuietly(requestLogs);
      store.close();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("request log did not stop cleanly: {}", e.toString());
    }
  }

  /**
   * Whether the Redis that limits and budgets are shared through answers, and since when; null when the gateway
   * runs without Redis ({@code redis:} absent). For the readiness check.
   */
  public SharedAccess.RedisState redisState() {
    return shared == null ? null : shared.state();
  }

  /** Teams and virtual keys. */
  public Keys keys() {
    return keys;
  }

  /** The store (teams, keys, usage records): embedded or PostgreSQL. */
  public Store store() {
    return store;
  }

  /** The metering writer; {@link Meter#spooled} is how much usage waits on disk for the store. */
  public Meter meter() {
    return meter;
  }
}
