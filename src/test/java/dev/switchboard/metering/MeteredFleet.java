package dev.switchboard.metering;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeployment;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

/**
 * A simulator speaking every backend protocol and a gateway in front of it with one priced model per backend, plus
 * the official client of every front door. {@link #stopGateway} writes every pending usage record (it closes the
 * Meter) so that the store can then be read; {@link #close} stops the rest.
 *
 * <p>Models: {@code m-openai}, {@code m-anthropic}, {@code m-bedrock}, {@code m-gemini} (one per backend protocol, on a
 * deployment without latency), and {@code paced-openai}, {@code paced-anthropic}, {@code paced-bedrock} on a
 * deployment that streams {@value #PACED_TOKENS} tokens at 50 tokens/s, so that a stream can be left half-way.
 * Each backend has its own price, cache reads and writes included, so that a cost computed at the wrong price shows.
 */
final class MeteredFleet implements AutoCloseable {
  static final String KEY = "metering-master-key";
  static final int PACED_TOKENS = 400;

  /** USD per million tokens: input, output, cache read, cache write (null: priced as input). */
  record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
    static Price of(String input, String output, String cacheRead, String cacheWrite) {
      return new Price(new BigDecimal(input), new BigDecimal(output), cacheRead == null ? null
          : new BigDecimal(cacheRead), cacheWrite == null ? null : new BigDecimal(cacheWrite));
    }

    String yaml() {
      return "{input: " + input + ", output: " + output + (cacheRead == null ? "" : ", cache_read: " + cacheRead)
          + (cacheWrite == null ? "" : ", cache_write: " + cacheWrite) + "}";
    }

    /** What the simulator's ledger entry costs at this price, computed here, independently of the gateway. */
    BigDecimal cost(LedgerEntry e) {
      BigDecimal read = cacheRead == null ? input : cacheRead;
      BigDecimal write = cacheWrite == null ? input : cacheWrite;
      return input.multiply(BigDecimal.valueOf(e.promptTokens()))
          .add(read.multiply(BigDecimal.valueOf(e.cacheReadTokens())))
          .add(write.multiply(BigDecimal.valueOf(e.cacheWriteTokens())))
          .add(output.multiply(BigDecimal.valueOf(e.completionTokens())))
          .movePointLeft(6);
    }

    BigDecimal cost(long plainInput, long cacheReadTokens, long cacheWriteTokens, long outputTokens) {
      BigDecimal read = cacheRead == null ? input : cacheRead;
      BigDecimal write = cacheWrite == null ? input : cacheWrite;
      return input.multiply(BigDecimal.valueOf(plainInput))
          .add(read.multiply(BigDecimal.valueOf(cacheReadTokens)))
          .add(write.multiply(BigDecimal.valueOf(cacheWriteTokens)))
          .add(output.multiply(BigDecimal.valueOf(outputTokens)))
          .movePointLeft(6);
    }
  }

  /** Logical model → its price. */
  static final Map<String, Price> PRICES = new LinkedHashMap<>();

  static {
    PRICES.put("m-openai", Price.of("1.1", "4.4", "0.275", null));
    PRICES.put("m-anthropic", Price.of("3", "15", "0.3", "3.75"));
    PRICES.put("m-bedrock", Price.of("3.3", "16.5", "0.33", "4.125"));
    PRICES.put("m-gemini", Price.of("1.25", "10", "0.3125", null));
    PRICES.put("paced-openai", Price.of("2", "8", null, null));
    PRICES.put("paced-anthropic", Price.of("3", "15", "0.3", "3.75"));
    PRICES.put("paced-bedrock", Price.of("3.3", "16.5", "0.33", "4.125"));
  }

  final Vertx vertx;
  final Simulator sim;
  final Path home;
  final Gateway gateway;
  final OpenAIClient openai;
  final AnthropicClient anthropic;
  private final StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY));
  private BedrockRuntimeClient bedrock;
  private BedrockRuntimeAsyncClient bedrockAsync;
  private boolean gatewayStopped;

  private MeteredFleet(Vertx vertx, Simulator sim, Path home, Gateway gateway) {
    this.vertx = vertx;
    this.sim = sim;
    this.home = home;
    this.gateway = gateway;
    String root = "http://127.0.0.1:" + gateway.port();
    openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(KEY).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
    anthropic = AnthropicOkHttpClient.builder().baseUrl(root).apiKey(KEY).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  /** The AWS SDK's sync client (Apache HTTP/1.1), made at first use. */
  synchronized BedrockRuntimeClient bedrock() {
    if (bedrock == null) {
      bedrock = BedrockRuntimeClient.builder().endpointOverride(root()).region(Region.US_EAST_1)
          .credentialsProvider(creds).httpClient(ApacheHttpClient.create())
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }
    return bedrock;
  }

  /** The AWS SDK's async client (Netty, HTTP/2 cleartext), made at first use: its event loops are slow to stop. */
  synchronized BedrockRuntimeAsyncClient bedrockAsync() {
    if (bedrockAsync == null) {
      bedrockAsync = BedrockRuntimeAsyncClient.builder().endpointOverride(root()).region(Region.US_EAST_1)
          .credentialsProvider(creds).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
          .build();
    }
    return bedrockAsync;
  }

  private URI root() {
    return URI.create("http://127.0.0.1:" + gateway.port());
  }

  static MeteredFleet start(Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    Simulator sim = await(Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("up", "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 7),
        new SimDeploymentSpec("paced", "r1", List.of("sim-large"), 0, Duration.ZERO, 50, PACED_TOKENS, 8)))));
    try {
      SimDeployment up = sim.deployment("up");
      SimDeployment paced = sim.deployment("paced");
      Path file = dir.resolve("switchboard.yaml");
      Files.writeString(file, """
          providers:
            - {name: openai-sim, base_url: "%s", api_key: k}
            - {name: anthropic-sim, type: anthropic, base_url: "%s", api_key: k}
            - {name: bedrock-sim, type: bedrock, base_url: "%s", region: us-west-2}
            - {name: gemini-sim, type: gemini, base_url: "%s", api_key: k}
            - {name: openai-paced, base_url: "%s", api_key: k}
            - {name: anthropic-paced, type: anthropic, base_url: "%s", api_key: k}
            - {name: bedrock-paced, type: bedrock, base_url: "%s", region: us-west-2}
          models:
            - {name: m-openai, provider: openai-sim, model: sim-large, price: %s}
            - {name: m-anthropic, provider: anthropic-sim, model: sim-large, price: %s}
            - {name: m-bedrock, provider: bedrock-sim, model: sim-large, price: %s}
            - {name: m-gemini, provider: gemini-sim, model: sim-large, price: %s}
            - {name: paced-openai, provider: openai-paced, model: sim-large, price: %s}
            - {name: paced-anthropic, provider: anthropic-paced, model: sim-large, price: %s}
            - {name: paced-bedrock, provider: bedrock-paced, model: sim-large, price: %s}
          """.formatted(up.baseUrl(), up.anthropicBaseUrl(), up.bedrockBaseUrl(), up.geminiBaseUrl(),
          paced.baseUrl(), paced.anthropicBaseUrl(), paced.bedrockBaseUrl(),
          PRICES.get("m-openai").yaml(), PRICES.get("m-anthropic").yaml(), PRICES.get("m-bedrock").yaml(),
          PRICES.get("m-gemini").yaml(), PRICES.get("paced-openai").yaml(), PRICES.get("paced-anthropic").yaml(),
          PRICES.get("paced-bedrock").yaml()));
      Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", KEY, "AWS_ACCESS_KEY_ID", "AKIDSIM",
          "AWS_SECRET_ACCESS_KEY", "sim-secret");
      Path home = dir.resolve("home");
      Gateway gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)),
          env::get, ExchangeObserver.NONE);
      return new MeteredFleet(vertx, sim, home, gateway);
    } catch (Exception | Error e) {
      sim.close();
      vertx.close();
      throw e;
    }
  }

  /** Stops the gateway, which writes every usage record still queued; the store can be read after. */
  void stopGateway() {
    if (gatewayStopped) return;
    gatewayStopped = true;
    openai.close();
    anthropic.close();
    if (bedrock != null) bedrock.close();
    if (bedrockAsync != null) bedrockAsync.close();
    gateway.close();
  }

  List<UsageRows.Row> rows() {
    return UsageRows.read(home);
  }

  @Override
  public void close() throws Exception {
    stopGateway();
    sim.close();
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
