package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.access.Keys;
import dev.switchboard.access.SecretBox;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * No credential ever reaches a client or a log line. A gateway starts with distinctive provider credentials of every
 * kind (OpenAI, Anthropic and Gemini API keys, Bedrock AWS keys; encrypted in the config, one in plain text) and a
 * virtual key with a SigV4 pair; requests succeed through every front door and fail in every way at hand (bad and
 * revoked keys, unknown models, upstream faults, an upstream that quotes the key it refused); the models list, the
 * routes explanation and the banner are read. No response (status, headers, body), SDK exception, banner or log line,
 * at DEBUG, holds any of the distinctive values; nor does the SQLite file.
 */
final class SecretsNeverLeakE2ETest {
  private static final String MASTER = "sk-sb-MASTER-DISTINCT-91d2";
  private static final String OPENAI_KEY = "sk-proj-OPENAI-DISTINCT-55aa";
  private static final String ANTHROPIC_KEY = "sk-ant-ANTHROPIC-DISTINCT-66bb";
  private static final String GEMINI_KEY = "AIzaGEMINI-DISTINCT-77cc";
  private static final String AWS_SECRET = "AWS-SECRET-DISTINCT-88dd/wJalrXUtnFEMI";
  private static final String ECHOED_KEY = "sk-ECHOED-DISTINCT-99ee";
  private static final String PLAIN_KEY = "sk-PLAIN-DISTINCT-00ff";

  @TempDir Path dir;

  private final List<String> seen = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void credentialsAppearInNoResponseLogLineOrStoreFile() throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Logger ours = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.switchboard");
    ch.qos.logback.classic.Logger requests =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("switchboard.requests");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    ours.setLevel(Level.DEBUG);
    requests.setLevel(Level.DEBUG);

    Vertx vertx = Vertx.vertx();
    List<String> echoAuthorizations = new CopyOnWriteArrayList<>();
    // A careless upstream: it refuses every key and quotes it back, as some servers do.
    HttpServer echo = vertx.createHttpServer().requestHandler(req -> {
      String auth = req.getHeader("authorization");
      echoAuthorizations.add(auth);
      req.body().onComplete(b -> req.response().setStatusCode(401).putHeader("content-type", "application/json")
          .end("{\"error\":{\"message\":\"Incorrect API key provided: " + auth.substring(7)
              + ". Find your key at example.invalid\",\"type\":\"invalid_request_error\"}}"));
    });
    echo.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Simulator sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("up", "us-east-1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 1))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path home = dir.resolve("home");
    byte[] encryptionKey = new byte[32];
    for (int i = 0; i < 32; i++) encryptionKey[i] = (byte) (7 * i + 3);
    SecretBox box = SecretBox.of(encryptionKey);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER,
        "SWITCHBOARD_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(encryptionKey));
    Path file = dir.resolve("switchboard.yaml");
    var up = sim.deployment("up");
    Files.writeString(file, """
        providers:
          - {name: oa, base_url: "%s", api_key: "%s"}
          - {name: an, type: anthropic, base_url: "%s", api_key: "%s"}
          - {name: ge, type: gemini, base_url: "%s", api_key: "%s"}
          - {name: br, type: bedrock, base_url: "%s", region: us-east-1, aws_access_key_id: AKIDLEAKTEST,
             aws_secret_access_key: "%s"}
          - {name: echo, base_url: "http://127.0.0.1:%d/v1", api_key: "%s"}
          - {name: plain, base_url: "%s", api_key: %s}
        models:
          - {name: m-oa, provider: oa, model: sim-large, retry: {attempts: 1}}
          - {name: m-an, provider: an, model: sim-large, retry: {attempts: 1}}
          - {name: m-ge, provider: ge, model: sim-large, retry: {attempts: 1}}
          - {name: m-br, provider: br, model: sim-large, retry: {attempts: 1}}
          - {name: m-echo, provider: echo, model: sim-large, retry: {attempts: 1}}
          - {name: m-plain, provider: plain, model: sim-large, retry: {attempts: 1}}
        """.formatted(up.baseUrl(), box.seal(OPENAI_KEY), up.anthropicBaseUrl(), box.seal(ANTHROPIC_KEY),
        up.geminiBaseUrl(), box.seal(GEMINI_KEY), up.bedrockBaseUrl(), box.seal(AWS_SECRET), echo.actualPort(),
        box.seal(ECHOED_KEY), up.baseUrl(), PLAIN_KEY));

    Gateway gateway = null;
    List<String> secrets = new ArrayList<>(List.of(MASTER, OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY, AWS_SECRET,
        ECHOED_KEY, PLAIN_KEY));
    try {
      gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)),
          env::get, new LogObserver());
      seen.add(Banner.text(gateway));
      Keys.Issued issued = gateway.keys().createKey(new Keys.KeySpec(null, "leak-test", null, null, null, null, null,
          true));
      Keys.Issued revoked = gateway.keys().createKey(new Keys.KeySpec(null, "revoked", null, null, null, null, null,
          true));
      gateway.keys().revoke(revoked.key().id());
      secrets.addAll(List.of(issued.secret(), issued.secretAccessKey(), revoked.secret(),
          revoked.secretAccessKey()));
      String base = "http://127.0.0.1:" + gateway.port();
      String key = issued.secret();

      for (String model : List.of("m-oa", "m-an", "m-ge", "m-br", "m-plain")) {
        assertThat(chat(base, key, model, false).statusCode()).as(model).isEqualTo(200);
      }
      assertThat(chat(base, key, "m-oa", true).statusCode()).isEqualTo(200);
      assertThat(send(base + "/v1/messages", Map.of("x-api-key", key, "anthropic-version", "2023-06-01"),
          "{\"model\":\"m-br\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
          .statusCode()).isEqualTo(200);
      assertThat(send(base + "/model/m-ge/converse", Map.of("authorization", "Bearer " + key),
          "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}").statusCode()).isEqualTo(200);

      try (BedrockRuntimeClient sdk = bedrock(base, issued.key().accessKeyId(), issued.secretAccessKey());
          BedrockRuntimeClient wrong = bedrock(base, issued.key().accessKeyId(), "wrong-secret");
          BedrockRuntimeClient gone = bedrock(base, revoked.key().accessKeyId(), revoked.secretAccessKey())) {
        seen.add(sdk.converse(b -> b.modelId("m-br").messages(hi())).toString());
        for (BedrockRuntimeClient refused : List.of(wrong, gone)) {
          assertThatThrownBy(() -> refused.converse(b -> b.modelId("m-oa").messages(hi())))
              .isInstanceOfSatisfying(BedrockRuntimeException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                seen.add(e.toString());
              });
        }
      }

      HttpResponse<String> quoted = chat(base, key, "m-echo", false);
      assertThat(quoted.statusCode()).isEqualTo(502);
      assertThat(quoted.body()).contains("Incorrect API key provided: <redacted>");
      assertThat(echoAuthorizations).contains("Bearer " + ECHOED_KEY); // decrypted on the way out, and only there

      sim.setFault("up", Fault.status(401));
      for (String model : List.of("m-oa", "m-an", "m-ge", "m-br")) {
        assertThat(chat(base, key, model, false).statusCode()).as(model).isEqualTo(502);
      }
      sim.setFault("up", Fault.status(500));
      assertThat(chat(base, key, "m-an", true).statusCode()).isGreaterThanOrEqualTo(500);
      sim.setFault("up", null);

      assertThat(chat(base, "sk-sbv-" + "x".repeat(55), "m-oa", false).statusCode()).isEqualTo(401);
      assertThat(chat(base, revoked.secret(), "m-oa", false).statusCode()).isIn(401, 403);
      assertThat(chat(base, key, "no-such-model", false).statusCode()).isEqualTo(404);
      assertThat(get(base + "/v1/models", key).statusCode()).isEqualTo(200);
      assertThat(get(base + "/admin/routes/m-br", MASTER).statusCode()).isEqualTo(200);
      assertThat(get(base + "/admin/routes/m-echo", MASTER).statusCode()).isEqualTo(200);
      assertThat(get(base + "/admin/routes/m-oa", key).statusCode()).isEqualTo(403);

    } finally {
      if (gateway != null) gateway.close();
      sim.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      root.detachAppender(logs);
      ours.setLevel(null);
      requests.setLevel(null);
    }

    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : logs.list) {
      lines.add(e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())));
    }
    assertThat(lines).as("the start warns about the one plain-text credential, by field")
        .anySatisfy(l -> assertThat(l).contains("providers[5].api_key").contains("secrets encrypt"));
    assertThat(lines).as("the request log ran").anySatisfy(l -> assertThat(l).contains("model=m-oa"));
    for (String secret : secrets) {
      assertThat(seen).as("responses").noneSatisfy(s -> assertThat(s).contains(secret));
      assertThat(lines).as("log lines").noneSatisfy(l -> assertThat(l).contains(secret));
    }
    List<Path> store;
    try (Stream<Path> files = Files.list(home)) {
      store = files.filter(p -> p.getFileName().toString().startsWith("switchboard.db")).toList();
    }
    assertThat(store).isNotEmpty();
    for (Path f : store) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String secret : secrets) assertThat(bytes).as(f.toString()).doesNotContain(secret);
    }
  }

  private static Message hi() {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("hi")).build();
  }

  private static BedrockRuntimeClient bedrock(String base, String accessKeyId, String secret) {
    return BedrockRuntimeClient.builder().endpointOverride(URI.create(base)).region(Region.US_EAST_1)
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .build();
  }

  private HttpResponse<String> chat(String base, String key, String model, boolean stream) throws Exception {
    return send(base + "/v1/chat/completions", Map.of("authorization", "Bearer " + key),
        "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  private HttpResponse<String> send(String url, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(req::header);
    return remember(http.send(req.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> get(String url, String key) throws Exception {
    return remember(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> remember(HttpResponse<String> r) {
    seen.add(r.statusCode() + " " + r.headers().map() + "\n" + r.body());
    return r;
  }
}
