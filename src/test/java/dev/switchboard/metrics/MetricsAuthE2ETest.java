package dev.switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.Keys;
import dev.switchboard.access.Limits;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code metrics.require_key: true}, {@code /metrics} answers the master key only: 401 without a key (in the
 * OpenAI error shape, saying what to send), 403 for a virtual key. A misspelt option fails the start.
 */
final class MetricsAuthE2ETest {
  private static final String MASTER = "metrics-master-key";
  @TempDir Path dir;

  @Test
  void requireKeyAdmitsTheMasterKeyOnly() throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    // No providers and no discovery: nothing upstream is needed to serve /metrics.
    Files.writeString(file, "discovery: {enabled: false}\nmetrics:\n  require_key: true\n");
    try (Gateway gateway = Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null,
        dir.resolve("home"))), env::get, ExchangeObserver.NONE);
        HttpClient http = HttpClient.newHttpClient()) {
      Keys.Issued key = gateway.keys().createKey(new Keys.KeySpec(null, "scraper", null, Limits.NONE, List.of(), null,
          Map.of(), false));
      URI uri = URI.create("http://127.0.0.1:" + gateway.port() + "/metrics");

      HttpResponse<String> none = http.send(HttpRequest.newBuilder(uri).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("missing_api_key").contains("Authorization: Bearer");

      HttpResponse<String> virtual = http.send(HttpRequest.newBuilder(uri).header("authorization", "Bearer "
          + key.secret()).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(virtual.statusCode()).isEqualTo(403);
      assertThat(virtual.body()).contains("master key only");

      HttpResponse<String> master = http.send(HttpRequest.newBuilder(uri).header("authorization", "Bearer " + MASTER)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(master.statusCode()).isEqualTo(200);
      assertThat(master.body()).contains("switchboard_requests_in_flight 0.0");
    }
  }

  @Test
  void aMisspeltOptionFailsTheStart() throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, "metrics:\n  requires_key: true\n");
    assertThatThrownBy(() -> new ConfigLoader(k -> null).load(new ConfigLoader.Flags(file, 0, null, dir)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("requires_key");
  }
}
