package dev.switchboard.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.testing.RecordingUpstream;
import dev.switchboard.testing.RecordingUpstream.Received;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Anthropic clients turn beta features on with {@code anthropic-beta}: an Anthropic upstream must receive it as sent,
 * and any other upstream, which cannot honour it, must be named as having dropped it (or refuse in strict mode).
 */
final class AnthropicBetaHeaderTest {
  private static final String BETA = "interleaved-thinking-2025-05-14,token-efficient-tools-2025-02-19";

  @TempDir static Path dir;
  static Vertx vertx;
  static RecordingUpstream upstream;
  static Gateway gateway;
  static AnthropicClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: claude-up, type: anthropic, base_url: "%s", api_key: up-key}
          - {name: openai-up, base_url: "%s", api_key: up-key}
        models:
          - {name: claude, provider: claude-up, model: claude-upstream}
          - {name: gpt, provider: openai-up, model: gpt-upstream}
          - {name: gpt-strict, provider: openai-up, model: gpt-upstream, strict: true}
        """.formatted(upstream.rootUrl(), upstream.baseUrl()));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "beta-key");
    gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir)), env::get,
        ExchangeObserver.NONE);
    client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port()).apiKey("beta-key")
        .maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (gateway != null) gateway.close();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static MessageCreateParams ask(String model) {
    return MessageCreateParams.builder().model(model).maxTokens(64L).addUserMessage("hello " + System.nanoTime())
        .putAdditionalHeader("anthropic-beta", BETA).build();
  }

  @Test
  void anAnthropicUpstreamReceivesTheBetaHeaderAsSent() throws Exception {
    MessageCreateParams params = ask("claude");
    HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params);
    assertThat(raw.parse().content().getFirst().text().orElseThrow().text()).isEqualTo(RecordingUpstream.TEXT);
    assertThat(raw.headers().values("x-switchboard-dropped")).isEmpty();
    String prompt = params.messages().getFirst().content().string().orElseThrow();
    Received sent = upstream.received().await(r -> r.text().contains(prompt)).get(10, TimeUnit.SECONDS);
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.header("anthropic-beta")).isEqualTo(BETA);
  }

  @Test
  void anotherUpstreamNamesTheBetaHeaderAsDroppedAndDoesNotForwardIt() throws Exception {
    MessageCreateParams params = ask("gpt");
    HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params);
    assertThat(raw.parse().content().getFirst().text().orElseThrow().text()).isEqualTo(RecordingUpstream.TEXT);
    assertThat(String.join(",", raw.headers().values("x-switchboard-dropped"))).contains("anthropic-beta", BETA);
    String prompt = params.messages().getFirst().content().string().orElseThrow();
    Received sent = upstream.received().await(r -> r.text().contains(prompt)).get(10, TimeUnit.SECONDS);
    assertThat(sent.header("anthropic-beta")).isNull();
  }

  @Test
  void strictModeRefusesABetaHeaderItCannotCarry() {
    assertThatThrownBy(() -> client.messages().create(ask("gpt-strict")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("anthropic-beta");
  }
}
