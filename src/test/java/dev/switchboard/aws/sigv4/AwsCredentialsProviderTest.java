package dev.switchboard.aws.sigv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simple start of the AWS credential chain: environment, then the shared credentials file. */
final class AwsCredentialsProviderTest {
  private static final String FILE = """
      # a comment
      [default]
      aws_access_key_id = AKIDDEFAULT
      aws_secret_access_key = default/secret+key   # trailing comment
      [prod]
      ; another comment
      AWS_ACCESS_KEY_ID=AKIDPROD
      aws_secret_access_key=prod-secret
      aws_session_token = prod-token
      s3 =
        max_concurrent_requests = 20
      [broken]
      aws_access_key_id = AKIDBROKEN
      """;

  @TempDir Path home;
  private final Map<String, String> env = new HashMap<>();

  private AwsCredentials resolve() {
    return new AwsCredentialsProvider(env::get, home).resolve();
  }

  private void writeCredentials(String content) throws IOException {
    Files.createDirectories(home.resolve(".aws"));
    Files.writeString(home.resolve(".aws/credentials"), content);
  }

  @Test
  void theEnvironmentBeatsTheFile() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
    env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
    env.put("AWS_SESSION_TOKEN", "env-token");
    env.put("AWS_PROFILE", "prod");

    assertThat(resolve()).isEqualTo(new AwsCredentials("AKIDENV", "env-secret", "env-token"));
  }

  @Test
  void halfAnEnvironmentIsAnErrorNotASilentFallBack() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_ACCESS_KEY_ID", "AKIDENV");

    assertThatIllegalStateException().isThrownBy(this::resolve)
        .withMessage("AWS credentials in the environment are incomplete: AWS_ACCESS_KEY_ID is set but "
            + "AWS_SECRET_ACCESS_KEY is not; set both, or neither to use the shared credentials file");
  }

  @Test
  void theDefaultProfileOfTheHomeFile() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_ACCESS_KEY_ID", "   ");

    assertThat(resolve()).isEqualTo(AwsCredentials.of("AKIDDEFAULT", "default/secret+key"));
  }

  @Test
  void awsProfileSelectsTheProfile() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_PROFILE", "prod");

    assertThat(resolve()).isEqualTo(new AwsCredentials("AKIDPROD", "prod-secret", "prod-token"));
  }

  @Test
  void awsSharedCredentialsFileMovesTheFile() throws IOException {
    Path elsewhere = home.resolve("elsewhere.ini");
    Files.writeString(elsewhere, "[default]\naws_access_key_id=AKIDX\naws_secret_access_key=x-secret\n");
    env.put("AWS_SHARED_CREDENTIALS_FILE", elsewhere.toString());
    assertThat(resolve()).isEqualTo(AwsCredentials.of("AKIDX", "x-secret"));

    env.put("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere.ini");
    assertThat(resolve()).isEqualTo(AwsCredentials.of("AKIDX", "x-secret"));
  }

  @Test
  void nothingFoundNamesEveryPlaceLookedAt() {
    env.put("AWS_PROFILE", "prod");

    assertThatIllegalStateException().isThrownBy(this::resolve)
        .withMessage("No AWS credentials found. Looked at environment variables AWS_ACCESS_KEY_ID and "
            + "AWS_SECRET_ACCESS_KEY (not set), then profile 'prod' (from AWS_PROFILE) in the shared credentials file "
            + home.resolve(".aws/credentials") + " (no such file)");
  }

  @Test
  void anUnknownProfileListsTheOnesThereAre() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_PROFILE", "staging");

    assertThatIllegalStateException().isThrownBy(this::resolve)
        .withMessageContaining("profile 'staging' (from AWS_PROFILE) in the shared credentials file "
            + home.resolve(".aws/credentials") + ", which has no such profile (it has: default, prod, broken)");
  }

  @Test
  void anIncompleteProfileSaysWhatIsMissing() throws IOException {
    writeCredentials(FILE);
    env.put("AWS_PROFILE", "broken");

    assertThatIllegalStateException().isThrownBy(this::resolve)
        .withMessageContaining("profile 'broken' (from AWS_PROFILE) in " + home.resolve(".aws/credentials")
            + " lacks aws_secret_access_key");
  }

  @Test
  void noMessageEverShowsASecret() throws IOException {
    writeCredentials(FILE.replace("[default]", "[other]"));
    env.put("AWS_SECRET_ACCESS_KEY", "env-secret-value");
    assertThatIllegalStateException().isThrownBy(this::resolve).satisfies(e ->
        assertThat(e.getMessage()).doesNotContain("env-secret-value"));

    env.remove("AWS_SECRET_ACCESS_KEY");
    assertThatIllegalStateException().isThrownBy(this::resolve).satisfies(e ->
        assertThat(e.getMessage()).doesNotContain("secret+key").doesNotContain("prod-secret"));
  }

  @Test
  void credentialsNeverPrintTheirSecretOrToken() {
    AwsCredentials k = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "IQoJb3JpZ2lu");
    assertThat(k.toString())
        .isEqualTo("AwsCredentials[accessKeyId=AKIDEXAMPLE, secretAccessKey=<redacted>, sessionToken=<redacted>]");
    assertThat(AwsCredentials.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG").toString())
        .isEqualTo("AwsCredentials[accessKeyId=AKIDEXAMPLE, secretAccessKey=<redacted>, sessionToken=<none>]");
  }

  @Test
  void credentialsAreValidatedWithoutEchoingTheSecret() {
    assertThatIllegalArgumentException().isThrownBy(() -> AwsCredentials.of(" ", "s"))
        .withMessage("accessKeyId :   (expected: a non-blank string)");
    assertThatIllegalArgumentException().isThrownBy(() -> AwsCredentials.of("AKID", ""))
        .withMessage("secretAccessKey : <blank> (expected: a non-blank string)");
    assertThatIllegalArgumentException().isThrownBy(() -> new AwsCredentials("AKID", "s", ""))
        .withMessage("sessionToken : <blank> (expected: null or a non-blank string)");
  }
}
