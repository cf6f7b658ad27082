package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code redis:}: absent means none; a url and on_failure (closed unless set), checked with the line and the rule. */
final class RedisConfigTest {
  @TempDir Path dir;

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir));
  }

  @Test
  void withoutARedisSectionThereIsNoRedis() throws Exception {
    assertThat(load("server: {port: 0}\n", Map.of()).redis()).isNull();
  }

  @Test
  void aUrlFailsClosedUnlessToldOpenAndTheEnvironmentWins() throws Exception {
    SwitchboardConfig.Redis closed = load("redis:\n  url: redis://127.0.0.1:6379\n", Map.of()).redis();
    assertThat(closed.url()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(closed.failOpen()).isFalse();
    assertThat(load("redis: {url: \"redis://h:1\", on_failure: open}\n", Map.of()).redis().failOpen()).isTrue();
    assertThat(load("server: {port: 0}\n", Map.of("SWITCHBOARD_REDIS_URL", "redis://other:2")).redis().url())
        .isEqualTo("redis://other:2");
    assertThat(load("redis: {url: \"${R}\"}\n", Map.of("R", "rediss://:pw@h:3")).redis().toString())
        .doesNotContain("pw");
  }

  @Test
  void badValuesAreRefusedWithTheirLine() {
    assertThatThrownBy(() -> load("redis:\n  url: http://h:1\n", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining(":2:").hasMessageContaining("redis://");
    assertThatThrownBy(() -> load("redis:\n  url: redis://h:1\n  on_failure: maybe\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(":3:").hasMessageContaining("closed", "open");
    assertThatThrownBy(() -> load("redis:\n  on_failure: open\n", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> load("redis:\n  url: redis://h:1\n  prefix: x\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("prefix");
  }
}
