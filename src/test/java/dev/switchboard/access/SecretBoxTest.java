package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SecretBoxTest {
  @TempDir Path home;

  @Test
  void sealsAndOpensUnderTheGeneratedKeyFile() throws Exception {
    SecretBox box = SecretBox.load(home, k -> null);
    String sealed = box.seal("provider-secret");
    assertThat(sealed).startsWith(SecretBox.PREFIX).doesNotContain("provider-secret");
    assertThat(box.seal("provider-secret")).isNotEqualTo(sealed); // a fresh nonce each time
    assertThat(SecretBox.load(home, k -> null).open(sealed)).isEqualTo("provider-secret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(SecretBox.FILE))))
        .isEqualTo("rw-------");
  }

  @Test
  void anotherKeyCannotOpenItAndSaysWhichKeyItTried() {
    String sealed = SecretBox.load(home, k -> null).seal("x");
    String other = Base64.getEncoder().encodeToString(new byte[32]);
    SecretBox fromEnv = SecretBox.load(home, Map.of(SecretBox.ENV, other)::get);
    assertThatThrownBy(() -> fromEnv.open(sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(SecretBox.ENV).hasMessageNotContaining(sealed);
  }

  @Test
  void aMalformedKeySaysHowToMakeOne() {
    assertThatThrownBy(() -> SecretBox.load(home, Map.of(SecretBox.ENV, "c2hvcnQ=")::get))
        .hasMessageContaining("32 bytes").hasMessageContaining("openssl rand -base64 32");
  }
}
