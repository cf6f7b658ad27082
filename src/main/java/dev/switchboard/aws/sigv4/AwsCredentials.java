package dev.switchboard.aws.sigv4;

import dev.switchboard.util.Checks;

/**
 * Static AWS credentials: an access key id, its secret access key and, for temporary credentials, a session token
 * (sent as {@code X-Amz-Security-Token}). Immutable. {@link #toString()} shows the access key id only, so credentials
 * can be logged or put in an error message without leaking the secret.
 *
 * @param accessKeyId the access key id, e.g. {@code AKIAIOSFODNN7EXAMPLE}; not blank
 * @param secretAccessKey the secret access key; not blank
 * @param sessionToken the session token of temporary credentials, or null; never blank
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
  public AwsCredentials {
    Checks.notBlank(accessKeyId, "accessKeyId");
    Checks.argument(secretAccessKey != null && !secretAccessKey.isBlank(),
        "secretAccessKey : %s (expected: a non-blank string)", secretAccessKey == null ? null : "<blank>");
    Checks.argument(sessionToken == null || !sessionToken.isBlank(),
        "sessionToken : <blank> (expected: null or a non-blank string)");
  }

  /** Long-term credentials, without a session token. */
  public static AwsCredentials of(String accessKeyId, String secretAccessKey) {
    return new AwsCredentials(accessKeyId, secretAccessKey, null);
  }

  @Override
  public String toString() {
    return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>, sessionToken="
        + (sessionToken == null ? "<none>" : "<redacted>") + "]";
  }
}
