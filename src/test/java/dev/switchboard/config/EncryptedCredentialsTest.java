package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.SecretBox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials in the config file: {@code enc:v1:} values open under the master encryption key (from the environment
 * or the state directory's key file), and every failure names the field, its place and the key's source, never the
 * value; plain-text values are listed for the start-up warning, {@code ${ENV}} references are not.
 */
final class EncryptedCredentialsTest {
  private static final String SECRET = "sk-live-DISTINCT-4f1c9a";
  private static final byte[] KEY = new byte[32];
  private static final byte[] OTHER_KEY = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      KEY[i] = (byte) i;
      OTHER_KEY[i] = (byte) (100 + i);
    }
  }

  @TempDir Path dir;

  private SwitchboardConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir.resolve("home")));
  }

  private static String provider(String apiKeyLine) {
    return "providers:\n  - name: up\n    base_url: http://127.0.0.1:9/v1\n    " + apiKeyLine + "\n";
  }

  private static Map<String, String> keyEnv(byte[] key) {
    return Map.of("SWITCHBOARD_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
  }

  @Test
  void anEncryptedValueOpensWithTheKeyFromTheEnvironment() throws IOException {
    String sealed = SecretBox.of(KEY).seal(SECRET);
    SwitchboardConfig c = load(provider("api_key: " + sealed), keyEnv(KEY));
    assertThat(c.providers().getFirst().apiKey()).isEqualTo(SECRET);
    assertThat(c.plaintextCredentials()).isEmpty();
    assertThat(c.toString()).doesNotContain(SECRET);
  }

  @Test
  void anEncryptedValueOpensWithTheKeyFileOfTheStateDirectory() throws IOException {
    SecretBox box = SecretBox.load(dir.resolve("home"), Map.<String, String>of()::get); // creates encryption.key
    SwitchboardConfig c = load(provider("api_key: " + box.seal(SECRET)), Map.of());
    assertThat(c.providers().getFirst().apiKey()).isEqualTo(SECRET);
  }

  @Test
  void anEnvironmentReferenceMayHoldAnEncryptedValue() throws IOException {
    Map<String, String> env = new HashMap<>(keyEnv(KEY));
    env.put("UP_KEY", SecretBox.of(KEY).seal(SECRET));
    SwitchboardConfig c = load(provider("api_key: ${UP_KEY}"), env);
    assertThat(c.providers().getFirst().apiKey()).isEqualTo(SECRET);
    assertThat(c.plaintextCredentials()).isEmpty();
  }

  @Test
  void theWrongKeyStopsTheLoadNamingTheFieldAndTheKeySourceButNotTheValue() throws IOException {
    String sealed = SecretBox.of(OTHER_KEY).seal(SECRET);
    assertThatThrownBy(() -> load(provider("api_key: " + sealed), keyEnv(KEY)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:4:")
        .hasMessageContaining("providers[0].api_key")
        .hasMessageContaining("SWITCHBOARD_ENCRYPTION_KEY")
        .hasMessageContaining("secrets encrypt")
        .message().doesNotContain(sealed.substring(7)).doesNotContain(SECRET);
  }

  @Test
  void noKeyAtAllStopsTheLoadWithoutCreatingOne() throws IOException {
    String sealed = SecretBox.of(KEY).seal(SECRET);
    assertThatThrownBy(() -> load(provider("api_key: " + sealed), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[0].api_key")
        .hasMessageContaining("there is no encryption key")
        .hasMessageContaining("SWITCHBOARD_ENCRYPTION_KEY")
        .hasMessageContaining("encryption.key")
        .message().doesNotContain(sealed.substring(7));
    assertThat(dir.resolve("home/encryption.key")).doesNotExist();
  }

  @Test
  void aDamagedValueIsNamedToo() throws IOException {
    assertThatThrownBy(() -> load(provider("api_key: enc:v1:not-base64!"), keyEnv(KEY)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[0].api_key")
        .hasMessageContaining("does not open");
  }

  @Test
  void plainTextCredentialsAreListedByFieldAndPlaceOnly() throws IOException {
    SwitchboardConfig c = load("""
        providers:
          - name: plain
            base_url: http://127.0.0.1:9/v1
            api_key: %s
          - name: fromenv
            base_url: http://127.0.0.1:9/v1
            api_key: ${UP_KEY}
        """.formatted(SECRET), Map.of("UP_KEY", "whatever-from-env"));
    assertThat(c.plaintextCredentials()).singleElement().asString()
        .startsWith("providers[0].api_key (")
        .contains("switchboard.yaml:4:")
        .doesNotContain(SECRET);
    assertThat(c.providers().getFirst().apiKey()).isEqualTo(SECRET);
  }

  @Test
  void bedrockTakesEncryptedAwsKeysFromTheConfig() throws IOException {
    SecretBox box = SecretBox.of(KEY);
    SwitchboardConfig c = load("""
        providers:
          - name: aws
            type: bedrock
            base_url: https://bedrock-runtime.eu-west-1.amazonaws.com
            aws_access_key_id: AKIAEXAMPLEDISTINCT
            aws_secret_access_key: %s
            aws_session_token: %s
        """.formatted(box.seal(SECRET), box.seal("session-DISTINCT")), keyEnv(KEY));
    SwitchboardConfig.Provider p = c.providers().getFirst();
    assertThat(p.awsCredentials().accessKeyId()).isEqualTo("AKIAEXAMPLEDISTINCT");
    assertThat(p.awsCredentials().secretAccessKey()).isEqualTo(SECRET);
    assertThat(p.awsCredentials().sessionToken()).isEqualTo("session-DISTINCT");
    assertThat(c.plaintextCredentials()).isEmpty(); // an access key id is no secret
    assertThat(p.toString() + c).doesNotContain(SECRET).doesNotContain("session-DISTINCT");
  }

  @Test
  void awsKeysAreForBedrockOnlyAndComeInPairs() {
    assertThatThrownBy(() -> load(provider("aws_access_key_id: AKIA1"), Map.of()))
        .hasMessageContaining("unknown setting 'aws_access_key_id'");
    assertThatThrownBy(() -> load("""
        providers:
          - {name: aws, type: bedrock, base_url: "https://bedrock-runtime.us-east-1.amazonaws.com", aws_access_key_id: A}
        """, Map.of()))
        .hasMessageContaining("'aws_secret_access_key' is required");
    assertThatThrownBy(() -> load("""
        providers:
          - {name: aws, type: bedrock, base_url: "https://bedrock-runtime.us-east-1.amazonaws.com", api_key: k,
             aws_access_key_id: A, aws_secret_access_key: B}
        """, Map.of()))
        .hasMessageContaining("not both");
  }

  @Test
  void aBaseUrlCarriesNoCredentialsAndTheRefusalDoesNotRepeatThem() {
    assertThatThrownBy(() -> load("providers:\n  - name: up\n    base_url: http://user:" + SECRET
        + "@127.0.0.1:9/v1\n", Map.of()))
        .hasMessageContaining("carries credentials")
        .message().doesNotContain(SECRET);
    assertThatThrownBy(() -> load("providers:\n  - name: up\n    base_url: https://g.example/v1beta?key=" + SECRET
        + "\n", Map.of()))
        .hasMessageContaining("has no query")
        .message().doesNotContain(SECRET);
  }
}
