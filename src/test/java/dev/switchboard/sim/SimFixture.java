package dev.switchboard.sim;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

/** A simulator on its own Vert.x for one test class, plus clients pointed at it. Not a test itself. */
final class SimFixture implements AutoCloseable {
  static final List<String> MODELS = List.of("sim-large", "sim-small", "sim-embed");
  /** Any credentials will do: the simulator checks that a request is signed, not the signature. */
  static final StaticCredentialsProvider AWS_CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSIMULATOR", "sim-secret"));
  static final ClientOverrideConfiguration NO_RETRIES = ClientOverrideConfiguration.builder()
      .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(20)).build();

  final Vertx vertx;
  final Simulator sim;
  private final List<OpenAIClient> clients = new ArrayList<>();
  private final List<AnthropicClient> anthropicClients = new ArrayList<>();
  private final List<AutoCloseable> awsClients = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private SimFixture(Vertx vertx, Simulator sim) {
    this.vertx = vertx;
    this.sim = sim;
  }

  static SimFixture start(SimDeploymentSpec... specs) {
    Vertx vertx = Vertx.vertx();
    try {
      Simulator sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(specs)))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return new SimFixture(vertx, sim);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("simulator did not start", e);
    }
  }

  /** A deployment without latency: the shape most tests want. */
  static SimDeploymentSpec instant(String name, String region, long seed) {
    return new SimDeploymentSpec(name, region, MODELS, 0, Duration.ZERO, 0, 12, seed);
  }

  /** The official SDK pointed straight at a deployment, strict about the response shape, no retries. */
  OpenAIClient client(String deployment) {
    OpenAIClient c = OpenAIOkHttpClient.builder()
        .baseUrl(sim.deployment(deployment).baseUrl())
        .apiKey("test")
        .maxRetries(0)
        .responseValidation(true)
        .timeout(Duration.ofSeconds(20))
        .build();
    clients.add(c);
    return c;
  }

  /** The official Anthropic SDK pointed straight at a deployment, strict about the response shape, no retries. */
  AnthropicClient anthropic(String deployment) {
    AnthropicClient c = AnthropicOkHttpClient.builder()
        .baseUrl(sim.deployment(deployment).anthropicBaseUrl())
        .apiKey("k")
        .maxRetries(0)
        .responseValidation(true)
        .timeout(Duration.ofSeconds(20))
        .build();
    anthropicClients.add(c);
    return c;
  }

  /**
   * The AWS SDK's sync Bedrock Runtime client (Apache, HTTP/1.1) pointed straight at a deployment, signing with static
   * credentials, no retries.
   */
  BedrockRuntimeClient bedrock(String deployment) {
    BedrockRuntimeClient c = BedrockRuntimeClient.builder()
        .endpointOverride(URI.create(sim.deployment(deployment).bedrockBaseUrl()))
        .region(Region.US_EAST_1)
        .credentialsProvider(AWS_CREDENTIALS)
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(NO_RETRIES)
        .build();
    awsClients.add(c);
    return c;
  }

  /**
   * The AWS SDK's async Bedrock Runtime client as it comes (Netty, which speaks cleartext HTTP/2 with prior knowledge
   * to an {@code http://} endpoint), pointed straight at a deployment, no retries.
   */
  BedrockRuntimeAsyncClient bedrockAsync(String deployment) {
    return bedrockAsync(deployment, NO_RETRIES);
  }

  BedrockRuntimeAsyncClient bedrockAsync(String deployment, ClientOverrideConfiguration config) {
    BedrockRuntimeAsyncClient c = BedrockRuntimeAsyncClient.builder()
        .endpointOverride(URI.create(sim.deployment(deployment).bedrockBaseUrl()))
        .region(Region.US_EAST_1)
        .credentialsProvider(AWS_CREDENTIALS)
        .overrideConfiguration(config)
        .build();
    awsClients.add(c);
    return c;
  }

  /** A raw POST, for what the SDK will not send (bad JSON, no key) or to see the exact bytes. */
  HttpResponse<String> post(String url, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest request) {
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
    for (OpenAIClient c : clients) c.close();
    for (AnthropicClient c : anthropicClients) c.close();
    for (AutoCloseable c : awsClients) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    http.close();
    sim.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
