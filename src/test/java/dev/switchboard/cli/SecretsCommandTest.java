package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Main;
import dev.switchboard.access.SecretBox;
import dev.switchboard.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code switchboard secrets encrypt} prints a value that the config loader opens with the same state directory's
 * key, and {@code secrets status} names the key's source and the credentials still in plain text.
 */
final class SecretsCommandTest {
  private static final String SECRET = "sk-ant-DISTINCT-77e1";

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String stdin, Function<String, String> env, String... args) {
    SecretsCommand secrets = new SecretsCommand();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    secrets.env = env;
    secrets.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    secrets.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    secrets.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    secrets.console = null;
    // The command as Main registers it, with this test's streams and environment.
    assertThat(new CommandLine(new Main()).getSubcommands()).containsKey("secrets");
    int exit = new CommandLine(secrets).execute(java.util.Arrays.copyOfRange(args, 1, args.length));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void encryptPrintsAValueTheConfigOpens() throws Exception {
    Path home = dir.resolve("home");
    Function<String, String> env = Map.<String, String>of()::get;
    Run r = run(SECRET + "\n", env, "secrets", "encrypt", "--home", home.toString());
    assertThat(r.exit()).isZero();
    String sealed = r.out().strip();
    assertThat(sealed).startsWith(SecretBox.PREFIX).doesNotContain(SECRET);
    assertThat(r.err()).contains(home.resolve("encryption.key").toString()).doesNotContain(SECRET);
    assertThat(home.resolve("encryption.key")).exists();

    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, """
        providers:
          - {name: up, type: anthropic, base_url: "http://127.0.0.1:9", api_key: "%s"}
          - {name: plain, base_url: "http://127.0.0.1:9/v1", api_key: "%s"}
        """.formatted(sealed, "not-yet-encrypted-123"));
    var cfg = new ConfigLoader(env).load(new ConfigLoader.Flags(file, null, null, home));
    assertThat(cfg.providers().getFirst().apiKey()).isEqualTo(SECRET);

    Run status = run("", env, "secrets", "status", "--home", home.toString(), "--config", file.toString());
    assertThat(status.exit()).isZero();
    assertThat(status.out())
        .contains("Encryption key: the key file " + home.resolve("encryption.key"))
        .contains("providers[1].api_key")
        .doesNotContain("providers[0].api_key")
        .doesNotContain("not-yet-encrypted-123")
        .doesNotContain(SECRET);
  }

  @Test
  void statusNamesTheEnvironmentVariableWhenItHoldsTheKey() {
    Run r = run("", Map.of("SWITCHBOARD_ENCRYPTION_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")::get,
        "secrets", "status", "--home", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("the environment variable SWITCHBOARD_ENCRYPTION_KEY");
  }

  @Test
  void nothingToEncryptIsAnError() {
    Run r = run("\n", Map.<String, String>of()::get, "secrets", "encrypt", "--home", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("nothing to encrypt");
    assertThat(dir.resolve("encryption.key")).doesNotExist();
  }
}
