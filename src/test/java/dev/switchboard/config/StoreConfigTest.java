package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.SecretBox;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code store:} section and its environment overrides: the embedded store unless told otherwise, PostgreSQL
 * with its password read like any credential, every mistake refused with a message that says what to write, and a
 * start against a PostgreSQL that does not answer failing with its URL but never its password.
 */
final class StoreConfigTest {
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();

  private SwitchboardConfig load(String yaml) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir));
  }

  @Test
  void theEmbeddedStoreUnlessSet() throws Exception {
    assertThat(load("server: {port: 0}\n").store()).isEqualTo(SwitchboardConfig.Store.EMBEDDED);
    assertThat(load("store: {type: sqlite}\n").store().postgres()).isFalse();
    assertThat(load("server: {port: 0}\n").metering().spoolLimit()).isEqualTo(1_000_000);
    assertThat(load("metering: {spool_limit: 5000}\n").metering().spoolLimit()).isEqualTo(5000);
  }

  @Test
  void postgresWithItsPasswordFromTheEnvironmentOrEncrypted() throws Exception {
    env.put("PGPASSWORD", "s3cret");
    SwitchboardConfig.Store s = load("""
        store:
          type: postgres
          url: jdbc:postgresql://127.0.0.1:5432/switchboard
          user: switchboard
          password: ${PGPASSWORD}
          pool_size: 3
        """).store();
    assertThat(s).isEqualTo(new SwitchboardConfig.Store("postgres", "jdbc:postgresql://127.0.0.1:5432/switchboard",
        "switchboard", "s3cret", 3));
    assertThat(s.toString()).doesNotContain("s3cret");

    String sealed = SecretBox.load(dir, env::get).seal("sealed-pw");
    SwitchboardConfig c = load("store: {type: postgres, url: \"jdbc:postgresql://h/db\", password: \"" + sealed
        + "\"}\n");
    assertThat(c.store().password()).isEqualTo("sealed-pw");
    assertThat(c.store().poolSize()).isEqualTo(8);
    assertThat(c.plaintextCredentials()).isEmpty();
    assertThat(load("store: {type: postgres, url: \"jdbc:postgresql://h/db\", password: plain}\n")
        .plaintextCredentials()).singleElement().asString().startsWith("store.password");
  }

  @Test
  void theEnvironmentOverridesTheFile() throws Exception {
    env.put("SWITCHBOARD_STORE_TYPE", "postgres");
    env.put("SWITCHBOARD_STORE_URL", "jdbc:postgresql://db:5432/sb");
    env.put("SWITCHBOARD_STORE_USER", "gateway");
    env.put("SWITCHBOARD_STORE_PASSWORD", "pw");
    assertThat(load("server: {port: 0}\n").store())
        .isEqualTo(new SwitchboardConfig.Store("postgres", "jdbc:postgresql://db:5432/sb", "gateway", "pw", 8));
  }

  @Test
  void mistakesAreRefusedWithWhatToWrite() {
    assertThatThrownBy(() -> load("store: {type: mysql}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining(":1:").hasMessageContaining("use sqlite").hasMessageContaining("or postgres");
    assertThatThrownBy(() -> load("store: {type: postgres}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.url is required").hasMessageContaining("jdbc:postgresql://");
    assertThatThrownBy(() -> load("store: {type: postgres, url: \"postgres://u:hunter2@h/db\"}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a PostgreSQL JDBC URL")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> load("store: {url: \"jdbc:postgresql://h/db\"}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("are for type postgres");
    assertThatThrownBy(() -> load("store: {type: postgres, url: \"jdbc:postgresql://h/db\", pool_size: 0}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pool_size");
    assertThatThrownBy(() -> load("store: {typ: postgres}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'typ'");
  }

  @Test
  void aStartAgainstADatabaseThatDoesNotAnswerFailsNamingItsUrlButNotItsPassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    env.put("SWITCHBOARD_MASTER_KEY", "k");
    SwitchboardConfig c = load("store: {type: postgres, url: \"jdbc:postgresql://127.0.0.1:" + port
        + "/sb?password=hunter2\", password: hunter2}\ndiscovery: {enabled: false}\n");
    assertThatThrownBy(() -> Gateway.start(c, env::get, ExchangeObserver.NONE))
        .hasMessageContaining("cannot open the PostgreSQL store at jdbc:postgresql://127.0.0.1:" + port + "/sb")
        .hasMessageContaining("must be reachable").hasMessageNotContaining("hunter2");
  }
}
