package dev.switchboard.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Bedrock Runtime upstream behind Switchboard. The upstream here is a second Switchboard's Bedrock front door
 * (itself tested against the AWS SDK's own clients, and verifying every SigV4 signature it receives), which
 * serves the simulator: OpenAI client → gateway → Bedrock Converse, signed → gateway → simulator.
 */
final class BedrockBackendE2ETest {
  @TempDir static Path dir;
  static GatewayFixture bedrockSide;
  static Gateway gateway;
  static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    bedrockSide = GatewayFixture.start(Files.createDirectories(dir.resolve("upstream")));
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - name: aws
            type: bedrock
            base_url: http://127.0.0.1:%d
            region: eu-west-3
        models:
          - {name: converse-chat, provider: aws, model: chat}
        """.formatted(bedrockSide.gateway().port()));
    // The upstream's master key is its access key id and secret; signing reads them like the AWS SDKs do.
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "front-key",
        "AWS_ACCESS_KEY_ID", GatewayFixture.MASTER_KEY, "AWS_SECRET_ACCESS_KEY", GatewayFixture.MASTER_KEY);
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    gateway = Gateway.start(config, env::get, ExchangeObserver.NONE);
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey("front-key").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    if (bedrockSide != null) bedrockSide.close();
  }

  @Test
  void aSignedConverseCallIsAnsweredInOpenAisShape() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("converse-chat")
        .addUserMessage("count to 3").build());
    c.validate();
    assertThat(c.choices().getFirst().message().content()).contains("1 2 3");
    assertThat(c.usage().orElseThrow().completionTokens()).isPositive();
  }

  @Test
  void aConverseStreamIsDecodedFromEventStreamFrames() {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("converse-chat").addUserMessage("count to 4").build())) {
      s.stream().forEach(acc::accumulate);
    }
    assertThat(acc.chatCompletion().choices().getFirst().message().content()).contains("1 2 3 4");
  }
}
