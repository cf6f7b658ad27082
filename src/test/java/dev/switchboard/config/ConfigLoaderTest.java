package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir));
  }

  @Test
  void zeroConfigDefaults() {
    SwitchboardConfig c = new ConfigLoader(Map.<String, String>of()::get).load(ConfigLoader.Flags.NONE);
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().port()).isEqualTo(8040);
    assertThat(c.home()).isEqualTo(Path.of(System.getProperty("user.home"), ".switchboard"));
    assertThat(c.providers()).isEmpty();
    assertThat(c.discovery().simulator()).isTrue();
  }

  @Test
  void environmentThenFlagsOverrideTheFile() throws IOException {
    String yaml = "server:\n  port: 9000\n";
    assertThat(load(yaml, Map.of()).server().port()).isEqualTo(9000);
    assertThat(load(yaml, Map.of("SWITCHBOARD_PORT", "9100")).server().port()).isEqualTo(9100);
    Path file = dir.resolve("switchboard.yaml");
    SwitchboardConfig c = new ConfigLoader(Map.of("SWITCHBOARD_PORT", "9100")::get)
        .load(new ConfigLoader.Flags(file, 9200, null, dir));
    assertThat(c.server().port()).isEqualTo(9200);
  }

  @Test
  void readsProvidersModelsAndResolvesSecretsFromTheEnvironment() throws IOException {
    SwitchboardConfig c = load("""
        server:
          body_limit: 1MiB
        providers:
          - name: local
            base_url: http://127.0.0.1:8000/v1
            api_key: ${LOCAL_KEY}
            timeouts: {connect: 500ms, first_byte: 30s, idle: 10s, total: 5m}
        models:
          - name: small
            provider: local
            model: org/Small-8B
            strict: true
          - name: local-default
            provider: local
        """, Map.of("LOCAL_KEY", "s3cret"));
    assertThat(c.server().bodyLimitBytes()).isEqualTo(1024 * 1024);
    SwitchboardConfig.Provider p = c.providers().get(0);
    assertThat(p.apiKey()).isEqualTo("s3cret");
    assertThat(p.toString()).doesNotContain("s3cret");
    assertThat(p.timeouts()).isEqualTo(new SwitchboardConfig.Timeouts(Duration.ofMillis(500), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5)));
    assertThat(c.models()).containsExactly(SwitchboardConfig.Model.single("small", "local", "org/Small-8B", true),
        SwitchboardConfig.Model.single("local-default", "local", "local-default", false));
  }

  @Test
  void aBadFileFailsWithFileLineAndReason() {
    String yaml = """
        providers:
          - name: a
            base_url: http://127.0.0.1:1/v1
            timeouts:
              idle: soon
        """;
    assertThatThrownBy(() -> load(yaml, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:5:")
        .hasMessageContaining("providers[0].timeouts.idle")
        .hasMessageContaining("not a duration");
  }

  @Test
  void unknownSettingsAndDanglingReferencesAreErrors() {
    assertThatThrownBy(() -> load("server:\n  prot: 1\n", Map.of()))
        .hasMessageContaining(":2:").hasMessageContaining("unknown setting 'prot'").hasMessageContaining("port");
    assertThatThrownBy(() -> load("""
        providers:
          - {name: a, base_url: "http://127.0.0.1:1/v1"}
        models:
          - {name: m, provider: b}
        """, Map.of())).hasMessageContaining(":4:").hasMessageContaining("no provider named 'b'");
    assertThatThrownBy(() -> load("providers:\n  - name: a\n    base_url: ftp://x\n", Map.of()))
        .hasMessageContaining("not an http(s) URL");
    assertThatThrownBy(() -> load("providers:\n  - name: a\n    base_url: http://h/v1\n    api_key: ${NOPE}\n",
        Map.of())).hasMessageContaining("NOPE is not set");
    assertThatThrownBy(() -> load("server: [\n", Map.of())).hasMessageContaining("not valid YAML");
  }

  @Test
  void continueStreamsIsOffUnlessAModelTurnsItOn() throws IOException {
    SwitchboardConfig c = load("""
        providers:
          - {name: a, base_url: "http://127.0.0.1:1/v1"}
        models:
          - {name: on, provider: a, continue_streams: true}
          - {name: off, provider: a}
        """, Map.of());
    assertThat(c.models()).extracting(SwitchboardConfig.Model::continueStreams).containsExactly(true, false);
    assertThatThrownBy(() -> load("""
        providers:
          - {name: a, base_url: "http://127.0.0.1:1/v1"}
        models:
          - {name: m, provider: a, continue_streams: sometimes}
        """, Map.of())).hasMessageContaining(":4:").hasMessageContaining("continue_streams")
        .hasMessageContaining("expected true or false");
  }
}
