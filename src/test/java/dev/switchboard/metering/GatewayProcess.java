package dev.switchboard.metering;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/switchboard serve} as a real process, on a given state directory and config: what an operator runs, so
 * that a test can kill it as the kernel would ({@link #kill}: SIGKILL, no shutdown hook runs) and start it again on the
 * same home ({@link #start} once more). Needs the packaged jar: use from failsafe ITs, which run after {@code package}.
 */
public final class GatewayProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("is listening on (http://127\\.0\\.0\\.1:\\d+)");

  private final Process process;
  private final List<String> output = new ArrayList<>();
  private final String baseUrl;

  private GatewayProcess(Process process, String baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
  }

  /**
   * Starts the gateway and waits (up to 60 s) for its banner.
   *
   * @param env added to the child's environment, after the caller's provider keys are taken out of it
   */
  public static GatewayProcess start(Path home, Path config, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bin/switchboard", "serve", "--port", "0", "--config", config.toString())
        .redirectErrorStream(true);
    Map<String, String> childEnv = pb.environment();
    for (String name : List.of("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
        "SWITCHBOARD_MASTER_KEY", "SWITCHBOARD_PORT")) {
      childEnv.remove(name);
    }
    childEnv.put("SWITCHBOARD_HOME", home.toString());
    childEnv.putAll(env);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      String url = null;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          synchronized (lines) {
            lines.add(line);
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) url = m.group(1);
          // The banner's last line: the gateway is serving.
          if (url != null && line.contains("OPENAI_BASE_URL=")) listening.complete(url);
        }
      } catch (IOException e) {
        // the process went away; its exit is reported below
      }
      synchronized (lines) {
        listening.completeExceptionally(new IllegalStateException("switchboard exited: " + lines));
      }
    }, "gateway-output");
    reader.setDaemon(true);
    reader.start();
    try {
      GatewayProcess g = new GatewayProcess(p, listening.get(60, TimeUnit.SECONDS));
      synchronized (lines) {
        g.output.addAll(lines);
      }
      return g;
    } catch (Exception e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** SIGKILL, then waits for the process to be gone: nothing of the gateway's runs after this. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("the killed gateway is still alive");
  }

  /** SIGTERM: the gateway's shutdown hook stops the server and writes every pending usage record. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the gateway did not stop within 30 s of SIGTERM: " + output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
