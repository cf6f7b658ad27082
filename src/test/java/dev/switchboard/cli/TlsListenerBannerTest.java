package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import dev.switchboard.testing.PrivateCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the banner tells a user whose gateway serves TLS: https:// everywhere, and the names the certificate covers. */
final class TlsListenerBannerTest {
  @TempDir Path dir;

  private Gateway start(PrivateCa.Issued cert) throws Exception {
    cert.writeChain(dir.resolve("chain.pem"));
    cert.writeKey(dir.resolve("key.pem"));
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        server:
          tls: {cert_file: chain.pem, key_file: key.pem}
        providers:
          - {name: up, base_url: "http://127.0.0.1:9/v1"}
        models:
          - {name: m, provider: up}
        """);
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "sk-banner-test");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  @Test
  void theBannersUrlsSayHttpsAndNameTheCertificate() throws Exception {
    try (Gateway g = start(PrivateCa.create("Banner Test CA").issue("gateway.test", "127.0.0.1"))) {
      String base = "https://127.0.0.1:" + g.port();
      String banner = Banner.text(g);
      assertThat(banner)
          .contains("is listening on " + base + "\n")
          .contains("  tls:       https for gateway.test, 127.0.0.1 (until ")
          .contains("  curl " + base + "/v1/chat/completions")
          .contains("OpenAI(base_url=\"" + base + "/v1\"")
          .contains("export OPENAI_BASE_URL=" + base + "/v1 ");
      assertThat(banner.replace("http://127.0.0.1:9/v1", "")).doesNotContain("http://");
    }
  }

  /** With a self-signed certificate, from openssl req -x509, the example is one a user can run as it is. */
  @Test
  void theCurlExampleTrustsASelfSignedCertificate() throws Exception {
    try (Gateway g = start(PrivateCa.selfSigned("localhost", "127.0.0.1"))) {
      assertThat(Banner.text(g)).contains("  curl --cacert " + dir.resolve("chain.pem") + " https://127.0.0.1:"
          + g.port() + "/v1/chat/completions");
    }
  }
}
