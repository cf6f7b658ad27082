package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metering.flush_interval}: 200 ms unless set, and refused outside 10ms–1m with the line and the rule. */
final class MeteringConfigTest {
  @TempDir Path dir;

  private SwitchboardConfig load(String yaml) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(Map.<String, String>of()::get).load(new ConfigLoader.Flags(file, null, null, dir));
  }

  @Test
  void theFlushIntervalIs200msUnlessSet() throws Exception {
    assertThat(load("server: {port: 0}\n").metering().flushInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(load("metering:\n  flush_interval: 1s\n").metering().flushInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aFlushIntervalOutOfRangeIsRefusedWithItsLine() {
    assertThatThrownBy(() -> load("metering:\n  flush_interval: 5ms\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining(":2:").hasMessageContaining("between 10ms and 1m");
    assertThatThrownBy(() -> load("metering:\n  flush: 1s\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("flush");
  }
}
