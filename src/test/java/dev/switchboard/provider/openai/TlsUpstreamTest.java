package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.testing.PrivateCa;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https upstream with a private CA: the provider trusts its {@code ca_file}, negotiates HTTP/2 by ALPN
 * (or keeps HTTP/1.1 when told to), and relays as usual.
 */
class TlsUpstreamTest {
  private static final String ANSWER = "{\"id\":\"chatcmpl-tls\",\"object\":\"chat.completion\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"over tls\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";

  @TempDir static Path dir;
  static Vertx vertx;
  static HttpServer upstream;
  static Path caFile;
  static final List<HttpVersion> versions = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    PrivateCa ca = PrivateCa.create("Upstream Test CA");
    PrivateCa.Issued cert = ca.issue("localhost");
    caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    upstream = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
            .setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(cert.writeChain(dir.resolve("upstream.pem")).toString())
                .setKeyPath(cert.writeKey(dir.resolve("upstream-key.pem")).toString())))
        .requestHandler(req -> req.body().onSuccess(b -> {
          versions.add(req.version());
          req.response().putHeader("content-type", "application/json").end(ANSWER);
        }));
    upstream.listen(0, "localhost").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Gateway gateway(boolean http2) throws Exception {
    Path file = dir.resolve("switchboard-" + http2 + ".yaml");
    Files.writeString(file, """
        providers:
          - name: private
            base_url: https://localhost:%d/v1
            ca_file: %s
            http2: %s
        models:
          - {name: m, provider: private}
        """.formatted(upstream.actualPort(), caFile, http2));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "tls-test");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  private static String ask(Gateway g) {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey("tls-test").maxRetries(0)
        .build();
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
        .addUserMessage("hi").build());
    return c.choices().getFirst().message().content().orElseThrow();
  }

  @Test
  void http2IsNegotiatedByAlpnWithAPrivateCa() throws Exception {
    try (Gateway g = gateway(true)) {
      versions.clear();
      assertThat(ask(g)).isEqualTo("over tls");
      assertThat(versions).containsExactly(HttpVersion.HTTP_2);
    }
  }

  @Test
  void http2CanBeTurnedOff() throws Exception {
    try (Gateway g = gateway(false)) {
      versions.clear();
      assertThat(ask(g)).isEqualTo("over tls");
      assertThat(versions).containsExactly(HttpVersion.HTTP_1_1);
    }
  }
}
