package dev.switchboard.aws.sigv4;

/** The steps SigV4 shares between signing and verifying, from canonical request to signature. Stateless. */
final class Signing {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";

  private Signing() {}

  /**
   * {@code METHOD \n canonical URI \n canonical query \n canonical headers (each ending in \n) \n signed headers \n
   * payload hash}.
   */
  static String canonicalRequest(String method, String canonicalUri, String canonicalQuery, String canonicalHeaders,
      String signedHeaders, String payloadHash) {
    return new StringBuilder(method.length() + canonicalUri.length() + canonicalQuery.length()
            + canonicalHeaders.length() + signedHeaders.length() + payloadHash.length() + 8)
        .append(method).append('\n')
        .append(canonicalUri).append('\n')
        .append(canonicalQuery).append('\n')
        .append(canonicalHeaders).append('\n')
        .append(signedHeaders).append('\n')
        .append(payloadHash)
        .toString();
  }

  /** {@code AWS4-HMAC-SHA256 \n X-Amz-Date \n scope \n hex(sha256(canonical request))}. */
  static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + Crypto.sha256Hex(canonicalRequest);
  }

  /** Lower-case hex HMAC-SHA256 of the string to sign under the derived signing key. */
  static String signature(byte[] signingKey, String stringToSign) {
    return Crypto.hex(Crypto.hmac(signingKey, stringToSign));
  }
}
