package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a gateway in-process, as tests and embedders do. */
final class GatewayStartTest {
  @TempDir Path dir;

  private Gateway start() throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, base_url: "http://127.0.0.1:9/v1"}
        models:
          - {name: m, provider: up}
        """);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "sk-start-test");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  /**
   * Port 0 means "any free port". The gateway listens once per event loop on one shared port, so with more than one
   * event loop every instance must share the port the first one picked instead of binding another.
   */
  @Test
  void listensOnAnEphemeralPortWithEveryEventLoop() throws Exception {
    try (Gateway first = start(); Gateway second = start();
        HttpClient http = HttpClient.newHttpClient()) {
      assertThat(first.port()).isPositive().isNotEqualTo(second.port());
      for (Gateway g : new Gateway[] {first, second}) {
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port()
            + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(g.openAiBaseUrl()).isEqualTo("http://127.0.0.1:" + g.port() + "/v1");
      }
    }
  }
}
