package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README command one, as a user runs it: {@code bin/switchboard serve} with no config and no environment
 * but a fresh state directory. Runs after {@code package}, so the launcher finds an up-to-date jar.
 */
class LauncherIT {
  private static final Pattern LISTENING = Pattern.compile("is listening on (http://127\\.0\\.0\\.1:\\d+)");

  @TempDir Path home;

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void serveStartsWithZeroConfigAndAnswersTheBannersExample() throws Exception {
    // Discovery must not find a real Ollama or vLLM that happens to run on this machine.
    Path config = home.resolve("switchboard.yaml");
    Files.writeString(config, "discovery:\n  ollama_url: http://127.0.0.1:" + closedPort()
        + "/v1\n  vllm_url: http://127.0.0.1:" + closedPort() + "/v1\n");
    ProcessBuilder pb = new ProcessBuilder("bin/switchboard", "serve", "--port", "0", "--config", config.toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    // Nothing may be discovered off this machine: no provider keys from the caller's environment.
    env.remove("OPENAI_API_KEY");
    env.remove("OPENAI_BASE_URL");
    env.remove("ANTHROPIC_API_KEY");
    env.remove("ANTHROPIC_BASE_URL");
    env.remove("SWITCHBOARD_MASTER_KEY");
    env.remove("SWITCHBOARD_PORT");
    env.put("SWITCHBOARD_HOME", home.resolve("state").toString());
    Process p = pb.start();
    try {
      List<String> lines = new ArrayList<>();
      CompletableFuture<String> baseUrl = new CompletableFuture<>();
      String[] listening = new String[1];
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            synchronized (lines) {
              lines.add(line);
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) listening[0] = m.group(1);
            // The banner's last line: everything above it has been read.
            if (line.contains("OPENAI_BASE_URL=") && listening[0] != null) baseUrl.complete(listening[0]);
          }
          baseUrl.completeExceptionally(new IllegalStateException("switchboard exited: " + lines));
        } catch (IOException e) {
          baseUrl.completeExceptionally(e);
        }
      });
      reader.setDaemon(true);
      reader.start();
      String base = baseUrl.get(90, TimeUnit.SECONDS);

      String key = Files.readString(home.resolve("state/master.key")).trim();
      synchronized (lines) {
        String banner = String.join("\n", lines);
        assertThat(banner).contains("Master key (shown once").contains(key).contains("sim-large")
            .contains("simulator").contains("curl " + base + "/v1/chat/completions");
      }
      OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).build();
      ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("sim-large").addUserMessage("count to 5").build());
      assertThat(c.choices().getFirst().message().content()).contains("1 2 3 4 5");
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }
}
