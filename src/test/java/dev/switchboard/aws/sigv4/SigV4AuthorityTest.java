package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SdkOracle.CREDENTIALS;
import static dev.switchboard.aws.sigv4.SdkOracle.PROFILE_PATH;
import static dev.switchboard.aws.sigv4.SdkOracle.REGION;
import static dev.switchboard.aws.sigv4.SdkOracle.SERVICE;
import static dev.switchboard.aws.sigv4.SdkOracle.SIGNED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.CredentialScope;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4CanonicalRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.util.SignerUtils;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.BinaryUtils;

/**
 * Over HTTP/2 the JavaScript SDK signs the pseudo-header {@code :authority} instead of {@code host}
 * ({@code SignedHeaders=:authority;amz-sdk-invocation-id;...}). The expected signature here comes from the Java SDK's own
 * canonical-request and key-derivation code, fed the headers the JS SDK signs; no Host header is involved.
 */
final class SigV4AuthorityTest {
  private static final String AUTHORITY = "gateway.internal:8443";
  private static final byte[] BODY = SdkOracle.BODY.getBytes(StandardCharsets.UTF_8);

  /** The headers @aws-sdk/client-bedrock-runtime signs for ConverseStream over HTTP/2 (PROTOCOLS.md 0.3). */
  private static Map<String, String> jsSignedHeaders() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(":authority", AUTHORITY);
    h.put("amz-sdk-invocation-id", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
    h.put("amz-sdk-request", "attempt=1; max=3");
    h.put("content-type", "application/json");
    h.put("x-amz-content-sha256", Crypto.sha256Hex(ByteBuffer.wrap(BODY)));
    h.put("x-amz-date", AmzDate.format(SIGNED_AT));
    h.put("x-amz-user-agent", "aws-sdk-js/3.1164.0");
    return h;
  }

  /** The Authorization header the JS SDK would send, computed with the Java SDK's canonical request and key. */
  private static String jsAuthorization(Map<String, String> signed) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().protocol("https").host("gateway.internal").port(8443)
        .method(SdkHttpMethod.POST).encodedPath(PROFILE_PATH);
    signed.forEach(b::putHeader);
    V4CanonicalRequest canonical = new V4CanonicalRequest(b.build(), signed.get("x-amz-content-sha256"),
        new V4CanonicalRequest.Options(true, true));
    CredentialScope scope = new CredentialScope(REGION, SERVICE, SIGNED_AT);
    String stringToSign = "AWS4-HMAC-SHA256\n" + scope.getDatetime() + "\n" + scope.scope() + "\n"
        + SignerUtils.hashCanonicalRequest(canonical.getCanonicalRequestString());
    byte[] key = SignerUtils.deriveSigningKey(
        AwsCredentialsIdentity.create(CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey()), scope);
    return "AWS4-HMAC-SHA256 Credential=" + CREDENTIALS.accessKeyId() + "/" + scope.scope() + ", SignedHeaders="
        + canonical.getSignedHeadersString() + ", Signature="
        + BinaryUtils.toHex(SignerUtils.computeSignature(stringToSign, key));
  }

  /** The request as an HTTP/2 server hands it over: pseudo-headers are not headers, the authority comes separately. */
  private static SigV4Verifier.Request received(String authority, Map<String, String> signed, String authorization) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed.forEach((name, value) -> {
      if (!name.startsWith(":")) headers.put(name, List.of(value));
    });
    headers.put("authorization", List.of(authorization));
    headers.put("user-agent", List.of("aws-sdk-js/3.1164.0 ua/2.1 os/linux lang/js md/nodejs#20"));
    return new SigV4Verifier.Request("POST", PROFILE_PATH, null, authority, SigV4Verifier.Headers.of(headers));
  }

  private static SigV4Verifier verifier() {
    return SigV4Verifier.builder()
        .secrets(id -> id.equals(CREDENTIALS.accessKeyId()) ? CREDENTIALS.secretAccessKey() : null)
        .clock(() -> SIGNED_AT)
        .build();
  }

  @Test
  void verifiesWhatTheJsSdkSignsOverHttp2() {
    Map<String, String> signed = jsSignedHeaders();
    String authorization = jsAuthorization(signed);
    assertThat(authorization).contains("SignedHeaders=:authority;amz-sdk-invocation-id;amz-sdk-request;content-type;"
        + "x-amz-content-sha256;x-amz-date;x-amz-user-agent, ");

    SigV4Result result = verifier().verify(received(AUTHORITY, signed, authorization), BODY);

    assertThat(result).isEqualTo(new SigV4Result.Verified(CREDENTIALS.accessKeyId(), REGION, SERVICE));
  }

  @Test
  void anotherAuthorityFailsTheSignature() {
    Map<String, String> signed = jsSignedHeaders();

    SigV4Result result = verifier().verify(received("evil.example:8443", signed, jsAuthorization(signed)), BODY);

    assertThat(result).isInstanceOfSatisfying(SigV4Result.Rejected.class, r -> {
      assertThat(r.errorCode()).isEqualTo("InvalidSignatureException");
      assertThat(r.message()).contains("\n:authority:evil.example:8443\n");
    });
  }

  @Test
  void withoutTheAuthorityItIsIncompleteAndSaysSo() {
    Map<String, String> signed = jsSignedHeaders();

    SigV4Result result = verifier().verify(received(null, signed, jsAuthorization(signed)), BODY);

    assertThat(result).isInstanceOfSatisfying(SigV4Result.Rejected.class, r -> {
      assertThat(r.errorCode()).isEqualTo("IncompleteSignatureException");
      assertThat(r.message()).contains("':authority'").contains("has no authority");
    });
  }
}
