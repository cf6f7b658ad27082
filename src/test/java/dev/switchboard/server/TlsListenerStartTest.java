package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.testing.PrivateCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Starting a gateway with a certificate: every key form openssl writes is served, and a wrong file stops the start
 * before the port opens, with a message that names the file and says what to do.
 */
final class TlsListenerStartTest {
  private static final PrivateCa CA = PrivateCa.create("Start Test CA");

  @TempDir Path dir;

  private Gateway start(Path cert, Path key) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        server:
          tls:
            cert_file: %s
            key_file: %s
        providers:
          - {name: up, base_url: "http://127.0.0.1:9/v1"}
        models:
          - {name: m, provider: up}
        """.formatted(cert, key));
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "sk-tls-start-test");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    return Gateway.start(config, env::get, ExchangeObserver.NONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-pkcs8", "ec-sec1", "rsa-pkcs8", "rsa-pkcs1"})
  void everyKeyFormOpensslWritesIsServed(String form) throws Exception {
    PrivateCa.Issued cert = form.startsWith("rsa") ? CA.issueRsa("127.0.0.1") : CA.issue("127.0.0.1");
    Path chain = cert.writeChain(dir.resolve("chain.pem"));
    Path key = form.endsWith("pkcs8") ? cert.writeKey(dir.resolve("key.pem"))
        : cert.writeTraditionalKey(dir.resolve("key.pem"));
    try (Gateway g = start(chain, key);
        HttpClient h2 = HttpClient.newBuilder().sslContext(CA.sslContext()).build()) {
      assertThat(g.certificate()).isEqualTo(cert.certificate());
      HttpResponse<String> live = h2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + g.port()
          + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }
  }

  @Test
  void aKeyOfAnotherCertificateStopsTheStart() {
    Path chain = CA.issue("127.0.0.1").writeChain(dir.resolve("chain.pem"));
    Path otherEc = CA.issue("127.0.0.1").writeKey(dir.resolve("other-ec.pem"));
    Path otherRsa = CA.issueRsa("127.0.0.1").writeKey(dir.resolve("other-rsa.pem"));
    for (Path key : new Path[] {otherEc, otherRsa}) {
      assertThatThrownBy(() -> start(chain, key))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the TLS private key " + key + " does not belong to the certificate " + chain)
          .hasMessageContaining("openssl pkey -pubout -in " + key);
    }
  }

  @Test
  void aKeyFileWithoutAKeyStopsTheStart() throws Exception {
    Path chain = CA.issue("127.0.0.1").writeChain(dir.resolve("chain.pem"));
    Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
    assertThatThrownBy(() -> start(chain, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the TLS private key " + key + " holds no PEM private key")
        .hasMessageContaining("-----BEGIN PRIVATE KEY----- (PKCS#8)");
  }

  @Test
  void anEncryptedKeyStopsTheStartWithTheCommandThatDecryptsIt() throws Exception {
    Path chain = CA.issue("127.0.0.1").writeChain(dir.resolve("chain.pem"));
    Path key = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> start(chain, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the TLS private key " + key + " is encrypted")
        .hasMessageContaining("openssl pkey -in " + key);
  }

  @Test
  void swappedFilesAreCalledSwapped() {
    PrivateCa.Issued cert = CA.issue("127.0.0.1");
    Path chain = cert.writeChain(dir.resolve("chain.pem"));
    Path key = cert.writeKey(dir.resolve("key.pem"));
    assertThatThrownBy(() -> start(key, chain))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the TLS certificate chain " + key + " holds a private key")
        .hasMessageContaining("swapped");
  }

  @Test
  void aCertificateFileWithoutCertificatesStopsTheStart() throws Exception {
    Path chain = Files.writeString(dir.resolve("chain.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
        + "-----END CERTIFICATE-----\n");
    Path notPem = Files.writeString(dir.resolve("chain.der"), "\u0030\u0082 binary");
    Path key = CA.issue("127.0.0.1").writeKey(dir.resolve("key.pem"));
    assertThatThrownBy(() -> start(chain, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the TLS certificate chain " + chain + " has a certificate (number 1) that cannot be "
            + "parsed");
    assertThatThrownBy(() -> start(notPem, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the TLS certificate chain " + notPem + " holds no PEM certificate")
        .hasMessageContaining("openssl x509 -inform der");
  }
}
