package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls} and its environment and flag equivalents. The loader checks only that the files can be read;
 * what is in them is checked when the gateway starts (TlsListenerStartTest).
 */
final class TlsListenerConfigTest {
  @TempDir Path dir;

  private SwitchboardConfig load(Path file, String yaml, Map<String, String> env, ConfigLoader.Flags flags)
      throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(flags);
  }

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("switchboard.yaml");
    return load(file, yaml, env, new ConfigLoader.Flags(file, null, null, dir));
  }

  private Path touch(String relative) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, "pem\n");
  }

  @Test
  void withoutTlsTheGatewayStaysInCleartext() throws IOException {
    assertThat(load("server:\n  port: 9000\n", Map.of()).server().tls()).isNull();
    assertThat(new ConfigLoader(Map.<String, String>of()::get).load(ConfigLoader.Flags.NONE).server().tls()).isNull();
  }

  /** A config directory (say /etc/switchboard) moves with its certificates, whatever the working directory is. */
  @Test
  void pathsInTheFileAreRelativeToTheFilesDirectory() throws IOException {
    Path cert = touch("conf/certs/server.pem");
    Path key = touch("conf/certs/server-key.pem");
    Path file = dir.resolve("conf/switchboard.yaml");
    SwitchboardConfig c = load(file, """
        server:
          tls:
            cert_file: certs/server.pem
            key_file: %s
        """.formatted(key), Map.of(), new ConfigLoader.Flags(file, null, null, dir));
    assertThat(c.server().tls()).isEqualTo(new SwitchboardConfig.Tls(cert, key));
  }

  @Test
  void environmentThenFlagsOverrideEachFile() throws IOException {
    Path fileCert = touch("file-cert.pem");
    Path fileKey = touch("file-key.pem");
    Path envCert = touch("env-cert.pem");
    Path flagKey = touch("flag-key.pem");
    Path file = dir.resolve("switchboard.yaml");
    String yaml = "server:\n  tls: {cert_file: file-cert.pem, key_file: file-key.pem}\n";
    assertThat(load(yaml, Map.of()).server().tls()).isEqualTo(new SwitchboardConfig.Tls(fileCert, fileKey));
    SwitchboardConfig c = load(file, yaml, Map.of("SWITCHBOARD_TLS_CERT", envCert.toString()),
        new ConfigLoader.Flags(file, null, null, dir, null, flagKey));
    assertThat(c.server().tls()).isEqualTo(new SwitchboardConfig.Tls(envCert, flagKey));

    Map<String, String> env = Map.of("SWITCHBOARD_TLS_CERT", envCert.toString(), "SWITCHBOARD_TLS_KEY",
        fileKey.toString());
    assertThat(new ConfigLoader(env::get).load(ConfigLoader.Flags.NONE).server().tls())
        .isEqualTo(new SwitchboardConfig.Tls(envCert, fileKey));
    // A shared config may name files that exist only where it is deployed; overridden, they are not looked at.
    assertThat(load("server:\n  tls: {cert_file: /srv/tls/cert.pem, key_file: /srv/tls/key.pem}\n", env)
        .server().tls()).isEqualTo(new SwitchboardConfig.Tls(envCert, fileKey));
  }

  @Test
  void halfAPairIsAnError() throws IOException {
    Path cert = touch("cert.pem");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("SWITCHBOARD_TLS_CERT", cert.toString())::get)
        .load(ConfigLoader.Flags.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("only the certificate (" + cert + ") was given")
        .hasMessageContaining("SWITCHBOARD_TLS_KEY");
    assertThatThrownBy(() -> load("server:\n  tls:\n    key_file: cert.pem\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:3:")
        .hasMessageContaining("server.tls: 'cert_file' is required");
  }

  @Test
  void mistakesNameTheFileLineAndColumn() throws IOException {
    touch("cert.pem");
    assertThatThrownBy(() -> load("server:\n  tls:\n    cert: cert.pem\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:3:")
        .hasMessageContaining("unknown setting 'cert' (known here: cert_file, key_file)");
    assertThatThrownBy(() -> load("server:\n  tls:\n    cert_file: cert.pem\n    key_file: missing.pem\n",
        Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:4:")
        .hasMessageContaining("cannot read the private key file " + dir.resolve("missing.pem"));
    assertThatThrownBy(() -> new ConfigLoader(Map.of("SWITCHBOARD_TLS_KEY", "/nonexistent/key.pem")::get)
        .load(ConfigLoader.Flags.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SWITCHBOARD_TLS_KEY: cannot read the private key file /nonexistent/key.pem");
  }
}
