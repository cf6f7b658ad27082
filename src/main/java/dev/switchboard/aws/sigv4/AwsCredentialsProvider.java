package dev.switchboard.aws.sigv4;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Finds static AWS credentials the way the AWS SDKs' default chain starts: first the environment
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, optional {@code AWS_SESSION_TOKEN}), then the shared
 * credentials file ({@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/credentials}) in the profile named by
 * {@code AWS_PROFILE}, else {@code default}. The rest of the SDK chain (SSO, process credentials, web identity,
 * container and instance metadata) is not attempted.
 *
 * <p>{@link #resolve()} reads afresh on every call and may block on the file system: call it at startup or on a worker
 * thread, never on an event loop, and keep the result. Thread-safe.
 */
public final class AwsCredentialsProvider {
  private final Function<String, String> env;
  private final Path home;

  AwsCredentialsProvider(Function<String, String> env, Path home) {
    this.env = Objects.requireNonNull(env, "env");
    this.home = Objects.requireNonNull(home, "home");
  }

  /** Reads the given environment and the user's home directory. */
  public static AwsCredentialsProvider from(Function<String, String> env) {
    return new AwsCredentialsProvider(env, Path.of(System.getProperty("user.home")));
  }

  /** Reads the process environment and the user's home directory. */
  public static AwsCredentialsProvider standard() {
    return new AwsCredentialsProvider(System::getenv, Path.of(System.getProperty("user.home")));
  }

  /**
   * Resolves credentials.
   *
   * @throws IllegalStateException if none are found, or if what was found is incomplete or unreadable; the message
   *     names every place looked at and what was missing there
   */
  public AwsCredentials resolve() {
    String id = env("AWS_ACCESS_KEY_ID");
    String secret = env("AWS_SECRET_ACCESS_KEY");
    if (id != null && secret != null) return new AwsCredentials(id, secret, env("AWS_SESSION_TOKEN"));
    if (id != null || secret != null) {
      throw new IllegalStateException("AWS credentials in the environment are incomplete: "
          + (id == null ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
          + "; set both, or neither to use the shared credentials file");
    }
    String envNote = "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set)";

    String fileSetting = env("AWS_SHARED_CREDENTIALS_FILE");
    Path file = fileSetting != null ? expandHome(fileSetting)
        : home.resolve(".aws").resolve("credentials");
    String fileNote = fileSetting != null ? file + " (from AWS_SHARED_CREDENTIALS_FILE)" : file.toString();
    String profileSetting = env("AWS_PROFILE");
    String profile = profileSetting != null ? profileSetting : "default";
    String profileNote = "profile '" + profile + "'" + (profileSetting != null ? " (from AWS_PROFILE)" : "");

    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("No AWS credentials found. Looked at " + envNote + ", then " + profileNote
          + " in the shared credentials file " + fileNote + " (no such file)");
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the AWS shared credentials file " + fileNote + ": " + e, e);
    }
    Map<String, Map<String, String>> profiles = SharedCredentialsFile.parse(content);
    Map<String, String> props = profiles.get(profile);
    if (props == null) {
      throw new IllegalStateException("No AWS credentials found. Looked at " + envNote + ", then " + profileNote
          + " in the shared credentials file " + fileNote + ", which has no such profile (it has: "
          + (profiles.isEmpty() ? "none" : String.join(", ", profiles.keySet())) + ")");
    }
    String fileId = nonBlank(props.get("aws_access_key_id"));
    String fileSecret = nonBlank(props.get("aws_secret_access_key"));
    if (fileId == null || fileSecret == null) {
      throw new IllegalStateException("AWS " + profileNote + " in " + fileNote + " lacks "
          + (fileId == null && fileSecret == null ? "aws_access_key_id and aws_secret_access_key"
              : fileId == null ? "aws_access_key_id" : "aws_secret_access_key")
          + " (profiles that use SSO, roles or credential_process are not supported here)");
    }
    return new AwsCredentials(fileId, fileSecret, nonBlank(props.get("aws_session_token")));
  }

  private Path expandHome(String path) {
    if (path.equals("~")) return home;
    if (path.startsWith("~/") || path.startsWith("~" + java.io.File.separator)) return home.resolve(path.substring(2));
    return Path.of(path);
  }

  private String env(String name) {
    return nonBlank(env.apply(name));
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
