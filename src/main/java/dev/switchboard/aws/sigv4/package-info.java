/**
 * AWS Signature Version 4: verifying it on requests the AWS SDKs send to the Bedrock Runtime front door, and producing
 * it for requests to Bedrock.
 *
 * <p>How the types fit together. {@link dev.switchboard.aws.sigv4.SigV4Verifier} takes a request as received
 * ({@link dev.switchboard.aws.sigv4.SigV4Verifier.Request}: raw path and query, authority, headers) with its body and
 * answers a {@link dev.switchboard.aws.sigv4.SigV4Result}: verified with the access key id, region and service, or
 * rejected with the AWS error code and a message for the caller, always HTTP 403.
 * {@link dev.switchboard.aws.sigv4.SigV4Signer} signs an outgoing
 * {@link dev.switchboard.aws.sigv4.SigV4Signer.Request} with {@link dev.switchboard.aws.sigv4.AwsCredentials}, which
 * {@link dev.switchboard.aws.sigv4.AwsCredentialsProvider} finds in the environment or the shared credentials file.
 *
 * <p>Inside, both sides share one implementation of each step: {@code Canonical} (URI, query, header values),
 * {@code Signing} (canonical request, string to sign, signature), {@code SigningKeys} (the derived-key cache),
 * {@code Crypto} (SHA-256, HMAC, constant-time comparison), {@code AmzDate} and {@code AuthorizationHeader}. They are
 * checked against the AWS SDK for Java's own signer, used as a test oracle only.
 *
 * <p>Threading: every public type is immutable or thread-safe, and nothing blocks except
 * {@link dev.switchboard.aws.sigv4.AwsCredentialsProvider#resolve()}, which reads a file. Time is read only through the
 * injected {@link java.time.InstantSource}.
 */
package dev.switchboard.aws.sigv4;
