package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code logging:} section and SWITCHBOARD_LOG_FORMAT. */
class LoggingConfigTest {
  @TempDir Path dir;

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir));
  }

  @Test
  void textLinesAndNoAccessLogByDefault() throws IOException {
    assertThat(load("server: {port: 0}\n", Map.of()).logging()).isEqualTo(SwitchboardConfig.Logging.DEFAULT);
  }

  @Test
  void readsFormatRequestsAndRedactPatterns() throws IOException {
    SwitchboardConfig.Logging l = load("logging:\n  format: json\n  requests: true\n  redact: [\"acct-[0-9]{6}\"]\n",
        Map.of()).logging();
    assertThat(l.json()).isTrue();
    assertThat(l.requests()).isTrue();
    assertThat(l.redact()).containsExactly("acct-[0-9]{6}");
  }

  @Test
  void theEnvironmentChoosesTheFormat() throws IOException {
    assertThat(load("logging: {format: text}\n", Map.of("SWITCHBOARD_LOG_FORMAT", "json")).logging().json()).isTrue();
  }

  @Test
  void badValuesAreNamedWithTheirPlace() {
    assertThatThrownBy(() -> load("logging: {format: xml}\n", Map.of()))
        .hasMessageContaining("logging.format is 'xml'").hasMessageContaining("switchboard.yaml:1");
    assertThatThrownBy(() -> load("logging: {requests: yes}\n", Map.of()))
        .hasMessageContaining("logging.requests is 'yes'");
    assertThatThrownBy(() -> load("logging: {redact: [\"(\"]}\n", Map.of()))
        .hasMessageContaining("not a regular expression");
    assertThatThrownBy(() -> load("logging: {level: debug}\n", Map.of())).hasMessageContaining("level");
    assertThatThrownBy(() -> load("server: {port: 0}\n", Map.of("SWITCHBOARD_LOG_FORMAT", "yaml")))
        .hasMessageContaining("SWITCHBOARD_LOG_FORMAT is 'yaml'");
  }
}
