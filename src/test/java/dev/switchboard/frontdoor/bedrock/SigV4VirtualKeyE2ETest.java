package dev.switchboard.frontdoor.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.Keys;
import dev.switchboard.access.SecretBox;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.token.credentials.StaticTokenProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * A virtual key issued with a SigV4 pair works from the AWS SDK, sync (Apache, HTTP/1.1) and async (Netty, h2c), for
 * Converse and ConverseStream; its bearer form works as a Bedrock API key. A wrong secret and a revoked key are refused
 * with the SDK's typed 403. Usage is recorded under the key. At rest the store holds neither the key nor the secret in
 * plain text; the sealed secret opens under the state directory's encryption key only, and a gateway started with
 * another key refuses the pair (and only the pair) until it starts with the right one again.
 */
final class SigV4VirtualKeyE2ETest {
  private static final String MASTER = "sigv4-master-key";

  @TempDir Path dir;
  // One Netty client for every async SDK client: each would otherwise start and gracefully stop its own event loops
  // (seconds each). HTTP/2, as the SDK picks for Bedrock Runtime when it builds the client itself: h2c here.
  private final SdkAsyncHttpClient netty = NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2).build();
  private Vertx vertx;
  private Simulator sim;
  private Path file;
  private Path home;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("up", "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 1))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, base_url: "%s", api_key: "${UP_KEY}"}
        models:
          - {name: chat, provider: up, model: sim-large, price: {input: 1, output: 2}}
        """.formatted(sim.deployment("up").baseUrl()));
    home = dir.resolve("home");
  }

  @AfterEach
  void stop() throws Exception {
    netty.close();
    sim.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Gateway gateway(Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>(Map.of("SWITCHBOARD_MASTER_KEY", MASTER, "UP_KEY", "sim"));
    env.putAll(extraEnv);
    return Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)), env::get,
        ExchangeObserver.NONE);
  }

  @Test
  void theIssuedPairSignsForBothSdkClientsAndNothingElseDoes() throws Exception {
    Keys.Issued issued;
    Keys.Issued revoked;
    Gateway gateway = gateway(Map.of());
    try {
      issued = gateway.keys().createKey(new Keys.KeySpec(null, "aws-app", null, null, null, null, null, true));
      revoked = gateway.keys().createKey(new Keys.KeySpec(null, "gone", null, null, null, null, null, true));
      gateway.keys().revoke(revoked.key().id());
      assertThat(issued.key().accessKeyId()).startsWith("SBAK");
      assertThat(issued.secretAccessKey()).isNotBlank();
      assertThat(issued.toString() + issued.key()).doesNotContain(issued.secret())
          .doesNotContain(issued.secretAccessKey()).doesNotContain(issued.key().sealedSecret());
      URI endpoint = URI.create("http://127.0.0.1:" + gateway.port());
      String id = issued.key().accessKeyId();

      try (BedrockRuntimeClient sync = sync(endpoint, id, issued.secretAccessKey());
          BedrockRuntimeAsyncClient async = async(endpoint, id, issued.secretAccessKey())) {
        assertThat(text(sync.converse(b -> b.modelId("chat").messages(ask("count to 3"))))).contains("1 2 3");
        assertThat(text(async.converse(b -> b.modelId("chat").messages(ask("count to 3"))).get(20, TimeUnit.SECONDS)))
            .contains("1 2 3");
        assertThat(stream(async, "count to 3")).contains("1 2 3");
      }

      try (BedrockRuntimeClient sync = sync(endpoint, id, "not-the-secret");
          BedrockRuntimeAsyncClient async = async(endpoint, id, "not-the-secret")) {
        assertThatThrownBy(() -> sync.converse(b -> b.modelId("chat").messages(ask("hi"))))
            .isInstanceOfSatisfying(BedrockRuntimeException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(403);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
            });
        assertThatThrownBy(() -> stream(async, "hi")).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(BedrockRuntimeException.class,
                e -> assertThat(e.statusCode()).isEqualTo(403));
      }

      try (BedrockRuntimeClient sync = sync(endpoint, revoked.key().accessKeyId(), revoked.secretAccessKey());
          BedrockRuntimeAsyncClient async = async(endpoint, revoked.key().accessKeyId(),
              revoked.secretAccessKey())) {
        assertThatThrownBy(() -> sync.converse(b -> b.modelId("chat").messages(ask("hi"))))
            .isInstanceOfSatisfying(BedrockRuntimeException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(403);
              assertThat(e.getMessage()).contains("revoked");
            });
        assertThatThrownBy(() -> async.converse(b -> b.modelId("chat").messages(ask("hi"))).get(20, TimeUnit.SECONDS))
            .cause().isInstanceOfSatisfying(BedrockRuntimeException.class,
                e -> assertThat(e.statusCode()).isEqualTo(403));
      }

      try (BedrockRuntimeClient bearer = bearer(endpoint, issued.secret());
          BedrockRuntimeClient revokedBearer = bearer(endpoint, revoked.secret())) {
        assertThat(text(bearer.converse(b -> b.modelId("chat").messages(ask("count to 3"))))).contains("1 2 3");
        assertThatThrownBy(() -> revokedBearer.converse(b -> b.modelId("chat").messages(ask("hi"))))
            .isInstanceOfSatisfying(BedrockRuntimeException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
      }
    } finally {
      gateway.close(); // writes the pending usage records
    }

    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("switchboard.db"))) {
      assertThat(count(db, "SELECT count(*) FROM usage WHERE key_id = ? AND front_door = 'bedrock'",
          issued.key().id())).as("sync, async, stream and bearer calls under the key").isEqualTo(4);
      assertThat(count(db, "SELECT count(*) FROM usage WHERE key_id = ?", revoked.key().id())).isZero();
      String sealed;
      try (PreparedStatement q = db.prepareStatement("SELECT sealed_secret FROM keys WHERE access_key_id = ?")) {
        q.setString(1, issued.key().accessKeyId());
        try (ResultSet r = q.executeQuery()) {
          assertThat(r.next()).isTrue();
          sealed = r.getString(1);
        }
      }
      assertThat(sealed).startsWith(SecretBox.PREFIX);
      assertThat(SecretBox.load(home, Map.<String, String>of()::get).open(sealed)).isEqualTo(issued.secretAccessKey());
      assertThatThrownBy(() -> SecretBox.of(new byte[32]).open(sealed)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("another key");
    }
    for (Path f : storeFiles()) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String secret : List.of(issued.secret(), issued.secretAccessKey(), revoked.secret(),
          revoked.secretAccessKey())) {
        assertThat(bytes).as(f + " holds no key or secret in plain text").doesNotContain(secret);
      }
    }

    // Another encryption key: the gateway starts, the pair is refused as unknown, the bearer key still works.
    byte[] other = new byte[32];
    other[0] = 1;
    URI endpoint;
    Gateway wrongKey = gateway(Map.of("SWITCHBOARD_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(other)));
    try (BedrockRuntimeClient sync = sync(endpoint = URI.create("http://127.0.0.1:" + wrongKey.port()),
        issued.key().accessKeyId(), issued.secretAccessKey());
        BedrockRuntimeClient bearer = bearer(endpoint, issued.secret())) {
      assertThatThrownBy(() -> sync.converse(b -> b.modelId("chat").messages(ask("hi"))))
          .isInstanceOfSatisfying(BedrockRuntimeException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
          });
      assertThat(text(bearer.converse(b -> b.modelId("chat").messages(ask("count to 3"))))).contains("1 2 3");
    } finally {
      wrongKey.close();
    }

    // The right key again (from the state directory): the pair works after a restart.
    Gateway again = gateway(Map.of());
    try (BedrockRuntimeClient sync = sync(URI.create("http://127.0.0.1:" + again.port()),
        issued.key().accessKeyId(), issued.secretAccessKey())) {
      assertThat(text(sync.converse(b -> b.modelId("chat").messages(ask("count to 3"))))).contains("1 2 3");
    } finally {
      again.close();
    }
  }

  private List<Path> storeFiles() throws Exception {
    try (Stream<Path> files = Files.list(home)) {
      return files.filter(p -> p.getFileName().toString().startsWith("switchboard.db")).toList();
    }
  }

  private static long count(Connection db, String sql, String arg) throws Exception {
    try (PreparedStatement q = db.prepareStatement(sql)) {
      q.setString(1, arg);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static Message ask(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
  }

  private static String text(ConverseResponse r) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock c : r.output().message().content()) if (c.text() != null) b.append(c.text());
    return b.toString();
  }

  private static String stream(BedrockRuntimeAsyncClient async, String prompt) throws Exception {
    StringBuilder text = new StringBuilder();
    CompletableFuture<Void> done = async.converseStream(ConverseStreamRequest.builder().modelId("chat")
        .messages(ask(prompt)).build(), ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockDelta(e -> {
              if (e.delta().text() != null) text.append(e.delta().text());
            })
            .build())
        .build());
    done.get(20, TimeUnit.SECONDS);
    return text.toString();
  }

  private static BedrockRuntimeClient sync(URI endpoint, String id, String secret) {
    return BedrockRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(ApacheHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private BedrockRuntimeAsyncClient async(URI endpoint, String id, String secret) {
    return BedrockRuntimeAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(netty)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  /** A Bedrock API key: the SDK sends it as {@code Authorization: Bearer}, with no signature. */
  private static BedrockRuntimeClient bearer(URI endpoint, String key) {
    return BedrockRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(ApacheHttpClient.create())
        .tokenProvider(StaticTokenProvider.create(() -> key))
        .authSchemeProvider(params -> List.of(AuthSchemeOption.builder().schemeId("smithy.api#httpBearerAuth")
            .build()))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }
}
