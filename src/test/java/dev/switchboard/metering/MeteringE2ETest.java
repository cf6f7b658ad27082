package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.store.Store;
import dev.switchboard.testing.StoreUnderTest;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every request the gateway routes is metered into the embedded store, and the metered tokens equal what the
 * simulator, the upstream, counted in its own ledger: through the OpenAI relay (plain and streamed) and the
 * Anthropic front door translated to an OpenAI-compatible upstream. Closing the gateway writes what was pending.
 * On the embedded store and on PostgreSQL.
 */
final class MeteringE2ETest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreUnderTest.Kind.class)
  void meteredTokensAndCostEqualTheUpstreamsLedger(StoreUnderTest.Kind kind) throws Exception {
    StoreUnderTest storeUnderTest = StoreUnderTest.of(kind);
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up",
        "r1", List.of("sim-large"), 0, Duration.ZERO, 0, 12, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Path home = dir.resolve("home");
    try {
      Path file = dir.resolve("switchboard.yaml");
      Files.writeString(file, """
          providers:
            - {name: up, base_url: "%s", api_key: k}
          models:
            - {name: metered, provider: up, model: sim-large, price: {input: 1, output: 2}}
          """.formatted(sim.deployment("up").baseUrl()) + storeUnderTest.yaml());
      Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "meter-key");
      Gateway gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home)),
          env::get, ExchangeObserver.NONE);
      OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("meter-key")
          .maxRetries(0).build();
      AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port())
          .apiKey("meter-key").maxRetries(0).build();
      try {
        for (int i = 0; i < 5; i++) {
          openai.chat().completions().create(ChatCompletionCreateParams.builder().model("metered")
              .addUserMessage("plain " + i).build());
          try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(
              ChatCompletionCreateParams.builder().model("metered").addUserMessage("streamed " + i)
                  .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(false).build()).build())) {
            s.stream().forEach(c -> { });
          }
          anthropic.messages().create(MessageCreateParams.builder().model("metered").maxTokens(50L)
              .addUserMessage("translated " + i).build());
        }
      } finally {
        openai.close();
        anthropic.close();
        gateway.close(); // writes every pending record
      }
      List<LedgerEntry> ledger = sim.ledger().entries();
      assertThat(ledger).hasSize(15);
      long input = ledger.stream().mapToLong(LedgerEntry::promptTokens).sum();
      long output = ledger.stream().mapToLong(LedgerEntry::completionTokens).sum();
      try (Store store = storeUnderTest.open(home)) {
        Store.UsageTotals metered = store.usage("metered");
        assertThat(metered.requests()).isEqualTo(15);
        assertThat(metered.inputTokens()).isEqualTo(input);
        assertThat(metered.outputTokens()).isEqualTo(output);
        assertThat(new BigDecimal(metered.costUsd())).isEqualByComparingTo(
            BigDecimal.valueOf(input + 2 * output).movePointLeft(6));
      }
    } finally {
      sim.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
