package dev.switchboard.testing;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.Ledger;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real Switchboard gateway, started in-process from a YAML config, in front of the built-in simulator (and a
 * {@link RecordingUpstream}), plus clients pointed at the gateway: the official OpenAI SDK and a raw
 * {@code java.net.http} client for what the SDK will not send. One per test class ({@code @BeforeAll}/{@code @AfterAll});
 * {@link #close} stops everything it started.
 *
 * <h2>The fleet</h2>
 * Simulator deployments (all serve {@code sim-large}; {@value #FAST} also {@code sim-small} and {@code sim-embed}):
 * <ul>
 *   <li>{@value #FAST}: no latency at all. Provider {@code sim}.
 *   <li>{@value #PACED}: no time to first token, then 20 tokens/s for {@value #PACED_TOKENS}-token answers, so a stream is
 *       still running when a client hangs up. Provider {@code sim-paced}.
 *   <li>{@value #SLOW}: 30 s to the first byte, reached through a {@link TcpTap} so a test can see the request arrive.
 *       Provider {@code sim-slow}.
 *   <li>{@value #FAULTY}: no latency; tests inject {@link Fault}s here. Providers {@code sim-faulty} (default timeouts)
 *       and {@code sim-impatient} ({@code first_byte: 300ms}).
 *   <li>{@value #TRICKLE}: 2 tokens/s, so 500 ms pass between tokens. Provider {@code sim-trickle} ({@code idle: 150ms}).
 * </ul>
 * Logical models (name → provider / upstream id): {@code chat → sim/sim-large}, {@code sim-small → sim/sim-small},
 * {@code embed → sim/sim-embed}, {@code team:chat-v1 → sim/sim-small}, {@code acme/chat → sim/sim-large},
 * {@code paced → sim-paced/sim-large}, {@code slow → sim-slow/sim-large}, {@code faulty → sim-faulty/sim-large},
 * {@code impatient → sim-impatient/sim-large}, {@code trickle → sim-trickle/sim-large}, and through the
 * Anthropic protocol {@code claude → sim-anthropic/sim-large} and {@code claude-faulty → sim-anthropic-faulty/sim-large},
 * {@code recorded → recorder/upstream-rec-1}. The models on the slow, faulty and trickle deployments make one attempt
 * only ({@code retry: {attempts: 1}}), so that a test sees each upstream failure as the client would without
 * retries; retries and failover have their own tests.
 *
 * <p>The server's {@code body_limit} is {@value #BODY_LIMIT} bytes. Every exchange the gateway finishes is in
 * {@link #exchanges()}. {@link #startWithTls} serves HTTPS instead, and the raw client trusts the certificate's CA.
 */
public final class GatewayFixture implements AutoCloseable {
  public static final String MASTER_KEY = "sk-sb-e2e-master-key-0123456789";
  /** What the config's {@code ${RECORDER_API_KEY}} resolves to: the credential the gateway must use upstream. */
  public static final String RECORDER_KEY = "sk-upstream-recorder-key";
  public static final String SIM_KEY = "sk-sim";
  public static final long BODY_LIMIT = 64 * 1024;

  public static final String FAST = "fast";
  public static final String PACED = "paced";
  public static final String SLOW = "slow";
  public static final String FAULTY = "faulty";
  public static final String TRICKLE = "trickle";
  public static final int PACED_TOKENS = 400;

  private static final List<String> MODELS = List.of("sim-large", "sim-small", "sim-embed");

  private final Vertx vertx;
  private final Simulator sim;
  private final RecordingUpstream recorder;
  private final TcpTap slowTap;
  private final AwaitableLog<ExchangeRecord> exchanges;
  private final Gateway gateway;
  private final HttpClient http;
  private final List<OpenAIClient> clients = new ArrayList<>();

  private GatewayFixture(Vertx vertx, Simulator sim, RecordingUpstream recorder, TcpTap slowTap,
      AwaitableLog<ExchangeRecord> exchanges, Gateway gateway, HttpClient http) {
    this.vertx = vertx;
    this.sim = sim;
    this.recorder = recorder;
    this.slowTap = slowTap;
    this.exchanges = exchanges;
    this.gateway = gateway;
    this.http = http;
  }

  /** Starts the fleet and a gateway; {@code dir} (a {@code @TempDir}) holds the config file and the gateway's home. */
  public static GatewayFixture start(Path dir) {
    return start(dir, null, StoreUnderTest.Kind.SQLITE);
  }

  /** Like {@link #start}, on the given store (PostgreSQL: a fresh database). */
  public static GatewayFixture start(Path dir, StoreUnderTest.Kind store) {
    return start(dir, null, store);
  }

  /** Like {@link #start}, on the given store, with {@code extraYaml} (top-level sections) added to the config. */
  public static GatewayFixture start(Path dir, StoreUnderTest.Kind store, String extraYaml) {
    return start(dir, null, store, extraYaml);
  }

  /**
   * Like {@link #start}, but the gateway listens with TLS: {@code certificate}'s chain and key are written next to the
   * config file and named there by relative paths, as a user keeps them.
   */
  public static GatewayFixture startWithTls(Path dir, PrivateCa.Issued certificate) {
    return start(dir, certificate, StoreUnderTest.Kind.SQLITE);
  }

  private static GatewayFixture start(Path dir, PrivateCa.Issued certificate, StoreUnderTest.Kind store) {
    return start(dir, certificate, store, "");
  }

  private static GatewayFixture start(Path dir, PrivateCa.Issued certificate, StoreUnderTest.Kind store,
      String extraYaml) {
    Vertx vertx = Vertx.vertx();
    Simulator sim = null;
    try {
      sim = await(Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
          new SimDeploymentSpec(FAST, "local-1", MODELS, 0, Duration.ZERO, 0, 12, 1),
          new SimDeploymentSpec(PACED, "local-1", List.of("sim-large"), 0, Duration.ZERO, 20, PACED_TOKENS, 2),
          new SimDeploymentSpec(SLOW, "local-1", List.of("sim-large"), 0, Duration.ofSeconds(30), 0, 12, 3),
          new SimDeploymentSpec(FAULTY, "local-2", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 4),
          new SimDeploymentSpec(TRICKLE, "local-2", List.of("sim-large"), 0, Duration.ZERO, 2, 50, 5)))));
      RecordingUpstream recorder = await(RecordingUpstream.start(vertx));
      TcpTap tap = await(TcpTap.start(vertx, sim.deployment(SLOW).port()));
      Path file = dir.resolve("switchboard.yaml");
      String tls = "";
      HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
      if (certificate != null) {
        certificate.writeChain(dir.resolve("server-chain.pem"));
        certificate.writeKey(dir.resolve("server-key.pem"));
        tls = "\n  tls:\n    cert_file: server-chain.pem\n    key_file: server-key.pem";
        http.sslContext(certificate.ca().sslContext());
      }
      Files.writeString(file, yaml(sim, recorder, tap, tls) + StoreUnderTest.of(store).yaml() + extraYaml);
      Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER_KEY, "RECORDER_API_KEY", RECORDER_KEY);
      SwitchboardConfig config = new ConfigLoader(env::get)
          .load(new ConfigLoader.Flags(file, 0, null, dir.resolve("home")));
      AwaitableLog<ExchangeRecord> exchanges = new AwaitableLog<>();
      Gateway gateway = Gateway.start(config, env::get, exchanges::add);
      return new GatewayFixture(vertx, sim, recorder, tap, exchanges, gateway, http.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      if (sim != null) sim.close();
      vertx.close();
      throw e;
    }
  }

  private static String yaml(Simulator sim, RecordingUpstream recorder, TcpTap tap, String tls) {
    return """
        server:
          host: 127.0.0.1
          body_limit: %d%s
        providers:
          - name: sim
            base_url: %s
            api_key: %s
          - name: sim-paced
            base_url: %s
            api_key: %s
          - name: sim-slow
            base_url: http://127.0.0.1:%d/v1
            api_key: %s
          - name: sim-faulty
            base_url: %s
            api_key: %s
          - name: sim-impatient
            base_url: %s
            api_key: %s
            timeouts: {first_byte: 300ms}
          - name: sim-trickle
            base_url: %s
            api_key: %s
            timeouts: {idle: 150ms}
          - name: recorder
            base_url: %s
            api_key: ${RECORDER_API_KEY}
          - name: sim-anthropic
            type: anthropic
            base_url: %s
            api_key: %s
          - name: sim-anthropic-faulty
            type: anthropic
            base_url: %s
            api_key: %s
        models:
          - {name: chat, provider: sim, model: sim-large}
          - {name: sim-small, provider: sim}
          - {name: embed, provider: sim, model: sim-embed}
          - {name: "team:chat-v1", provider: sim, model: sim-small}
          - {name: acme/chat, provider: sim, model: sim-large}
          - {name: paced, provider: sim-paced, model: sim-large}
          - {name: slow, provider: sim-slow, model: sim-large, retry: {attempts: 1}}
          - {name: faulty, provider: sim-faulty, model: sim-large, retry: {attempts: 1}}
          - {name: impatient, provider: sim-impatient, model: sim-large, retry: {attempts: 1}}
          - {name: trickle, provider: sim-trickle, model: sim-large, retry: {attempts: 1}}
          - {name: recorded, provider: recorder, model: upstream-rec-1}
          - {name: claude, provider: sim-anthropic, model: sim-large}
          - {name: claude-faulty, provider: sim-anthropic-faulty, model: sim-large, retry: {attempts: 1}}
        """.formatted(BODY_LIMIT, tls,
        sim.deployment(FAST).baseUrl(), SIM_KEY,
        sim.deployment(PACED).baseUrl(), SIM_KEY,
        tap.port(), SIM_KEY,
        sim.deployment(FAULTY).baseUrl(), SIM_KEY,
        sim.deployment(FAULTY).baseUrl(), SIM_KEY,
        sim.deployment(TRICKLE).baseUrl(), SIM_KEY,
        recorder.baseUrl(),
        sim.deployment(FAST).anthropicBaseUrl(), SIM_KEY,
        sim.deployment(FAULTY).anthropicBaseUrl(), SIM_KEY);
  }

  public Gateway gateway() {
    return gateway;
  }

  public Simulator sim() {
    return sim;
  }

  public Ledger ledger() {
    return sim.ledger();
  }

  public RecordingUpstream recorder() {
    return recorder;
  }

  public TcpTap slowTap() {
    return slowTap;
  }

  /** Every exchange the gateway has finished, as its observer heard it. */
  public AwaitableLog<ExchangeRecord> exchanges() {
    return exchanges;
  }

  /** The simulator's ledger entry for the request the gateway sent upstream with {@code requestId}. */
  public LedgerEntry ledgerEntry(String requestId) {
    return get(ledger().await(e -> e.requestId().equals(requestId)));
  }

  /** The gateway's record of the exchange {@code requestId}. */
  public ExchangeRecord exchange(String requestId) {
    return get(exchanges.await(r -> r.requestId().equals(requestId)));
  }

  public ExchangeRecord exchange(Predicate<ExchangeRecord> p) {
    return get(exchanges.await(p));
  }

  /** Waits up to 10 s for {@code future}; a test that would wait longer has found a hang. */
  public static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("nothing arrived within 10 s", e);
    }
  }

  /** Clears any fault on the {@value #FAULTY} deployment (and listens again after a refuse). */
  public void clearFaults() {
    sim.setFault(FAULTY, null);
  }

  /** The official SDK with the master key, strict about response shapes, without retries. */
  public OpenAIClient client() {
    return client(MASTER_KEY);
  }

  public OpenAIClient client(String apiKey) {
    return client(OpenAIOkHttpClient.builder().apiKey(apiKey));
  }

  /** Finishes {@code builder} with the gateway's base URL, no retries and response validation, and keeps it to close. */
  public OpenAIClient client(OpenAIOkHttpClient.Builder builder) {
    OpenAIClient c = builder.baseUrl(gateway.openAiBaseUrl()).maxRetries(0).responseValidation(true)
        .timeout(Duration.ofSeconds(20)).build();
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /** {@code http://127.0.0.1:<port>/v1} (or {@code https://}) + {@code path}. */
  public URI uri(String path) {
    return URI.create(gateway.openAiBaseUrl() + path);
  }

  /** A raw POST with the master key; {@code headers} are name/value pairs added after (or instead of) the defaults. */
  public HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .setHeader("content-type", "application/json")
        .setHeader("authorization", "Bearer " + MASTER_KEY);
    for (int i = 0; i < headers.length; i += 2) b.setHeader(headers[i], headers[i + 1]);
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(OpenAIClient::close);
    }
    http.close();
    gateway.close();
    sim.close();
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not start or stop the test fleet", e);
    }
  }
}
