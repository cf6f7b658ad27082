package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first README command: a start with no config file and no environment. */
class ZeroConfigTest {
  @TempDir Path home;

  /** A loopback port with nothing listening: discovery must find nothing there. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private SwitchboardConfig config(Map<String, String> env, String yaml) throws IOException {
    Path file = null;
    if (yaml != null) {
      file = home.resolve("switchboard.yaml");
      Files.writeString(file, yaml);
    }
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, home.resolve("state")));
  }

  private static OpenAIClient client(Gateway g, String key) {
    return OpenAIOkHttpClient.builder().baseUrl(g.openAiBaseUrl()).apiKey(key).maxRetries(0).build();
  }

  @Test
  void withNothingFoundTheSimulatorServesAndAKeyIsMadeOnce() throws Exception {
    String yaml = "discovery:\n  ollama_url: http://127.0.0.1:" + closedPort() + "/v1\n  vllm_url: http://127.0.0.1:"
        + closedPort() + "/v1\n";
    Map<String, String> env = new HashMap<>();
    String key;
    try (Gateway g = Gateway.start(config(env, yaml), env::get, ExchangeObserver.NONE)) {
      assertThat(g.simulator()).isNotNull();
      assertThat(g.masterKey().generated()).isTrue();
      key = g.masterKey().value();
      Path keyFile = home.resolve("state/master.key");
      assertThat(Files.readString(keyFile).trim()).isEqualTo(key);
      assertThat(Files.getPosixFilePermissions(keyFile))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      assertThat(g.discoveryNotes()).anySatisfy(n -> assertThat(n).startsWith("simulator:"));

      OpenAIClient client = client(g, key);
      assertThat(client.models().list().data()).extracting(Model::id)
          .contains("sim-large", "sim-small", "sim-embed");
      ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("sim-large").addUserMessage("count to 3").build());
      assertThat(c.choices().getFirst().message().content()).contains("1 2 3");
    }
    // The second start reuses the stored key and does not show it again.
    try (Gateway g = Gateway.start(config(env, yaml), env::get, ExchangeObserver.NONE)) {
      assertThat(g.masterKey().generated()).isFalse();
      assertThat(g.masterKey().value()).isEqualTo(key);
    }
  }

  @Test
  void aLocalVllmIsDiscoveredWithItsModelsAndTheSimulatorStaysOff() throws Exception {
    // A simulator deployment stands in for a local vLLM: it speaks the same protocol.
    Vertx vertx = Vertx.vertx();
    Simulator vllm = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(
        new SimDeploymentSpec("vllm", "local", List.of("meta-llama/Llama-3.1-8B-Instruct"), 0, Duration.ZERO, 0, 8,
            7)))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      String yaml = "discovery:\n  ollama_url: http://127.0.0.1:" + closedPort() + "/v1\n  vllm_url: "
          + vllm.deployment("vllm").baseUrl() + "\n";
      Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "test-key");
      try (Gateway g = Gateway.start(config(env, yaml), env::get, ExchangeObserver.NONE)) {
        assertThat(g.simulator()).isNull();
        assertThat(g.masterKey().origin()).isEqualTo("SWITCHBOARD_MASTER_KEY");
        assertThat(g.discoveryNotes()).anySatisfy(n -> assertThat(n).startsWith("vllm: found"));
        OpenAIClient client = client(g, "test-key");
        assertThat(client.models().list().data()).extracting(Model::id)
            .containsExactly("meta-llama/Llama-3.1-8B-Instruct");
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("meta-llama/Llama-3.1-8B-Instruct").addUserMessage("echo: hello there").build());
        assertThat(c.choices().getFirst().message().content()).contains("hello there");
      }
    } finally {
      vllm.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
