package dev.switchboard.aws.sigv4;

import java.util.Objects;

/**
 * What {@link SigV4Verifier} decided about one request: {@link Verified} or {@link Rejected}. Immutable.
 *
 * <p>A front door answers a {@link Rejected} with {@link Rejected#httpStatus()} (always 403: AWS has no 401), the header
 * {@code x-amzn-ErrorType: }{@link Rejected#errorCode()}, the body {@code {"message": ...}}, and, like every response,
 * a correct {@code Date} header: the AWS SDKs compare it with their own clock when they receive one of the
 * signature codes, correct their skew and retry once.
 */
public sealed interface SigV4Result permits SigV4Result.Verified, SigV4Result.Rejected {

  /** True for {@link Verified}. */
  default boolean verified() {
    return this instanceof Verified;
  }

  /**
   * The signature is valid, made with the secret of {@code accessKeyId} for the credential scope's {@code region} and
   * {@code service}, within the allowed clock skew.
   */
  record Verified(String accessKeyId, String region, String service) implements SigV4Result {
    public Verified {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(service, "service");
    }
  }

  /**
   * The request is not authenticated. {@code message} is meant for the caller: it says what was wrong and, where it
   * helps, what to do; it never contains a secret (the canonical request and string-to-sign it may quote are built
   * from what the caller sent, with a session token's value redacted).
   */
  record Rejected(Failure failure, String message) implements SigV4Result {
    public Rejected {
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(message, "message");
    }

    /** The AWS error code, for {@code x-amzn-ErrorType}. */
    public String errorCode() {
      return failure.errorCode();
    }

    /** Always 403, as AWS answers every authentication failure. */
    public int httpStatus() {
      return 403;
    }
  }

  /** Why a request was rejected; each maps to the error code AWS returns in that case. */
  enum Failure {
    /** No {@code Authorization} header. */
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException"),
    /** A malformed {@code Authorization}, a missing or malformed {@code X-Amz-Date}, or a signed header that is absent. */
    INCOMPLETE_SIGNATURE("IncompleteSignatureException"),
    /** The access key id is unknown. */
    UNRECOGNIZED_CLIENT("UnrecognizedClientException"),
    /** The signature, credential scope or payload hash does not match the request. */
    INVALID_SIGNATURE("InvalidSignatureException"),
    /**
     * {@code X-Amz-Date} is outside the allowed skew from the gateway's clock. AWS reports this as
     * {@code InvalidSignatureException} ("Signature expired: ..."), which the SDKs treat as a clock-skew candidate.
     */
    SIGNATURE_EXPIRED("InvalidSignatureException");

    private final String errorCode;

    Failure(String errorCode) {
      this.errorCode = errorCode;
    }

    /** The AWS error code, for {@code x-amzn-ErrorType}. */
    public String errorCode() {
      return errorCode;
    }
  }
}
