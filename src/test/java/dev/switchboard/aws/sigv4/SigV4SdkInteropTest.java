package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SdkOracle.REGION;
import static dev.switchboard.aws.sigv4.SdkOracle.SERVICE;
import static dev.switchboard.aws.sigv4.SdkOracle.SIGNED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Interop with the AWS SDK for Java's own signer, both ways: what the SDK signs, our verifier accepts (over HTTP/1.1 with
 * a Host header, and over HTTP/2 where Host travels as {@code :authority}); what ours signs is byte for byte what the
 * SDK signs for the same request, credentials and time.
 */
final class SigV4SdkInteropTest {
  static List<SdkOracle.Case> cases() {
    return SdkOracle.bedrockCases();
  }

  private static SigV4Verifier verifierAt(Instant now, AwsCredentials known) {
    return SigV4Verifier.builder()
        .secrets(id -> id.equals(known.accessKeyId()) ? known.secretAccessKey() : null)
        .clock(() -> now)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sdkSignedRequestsVerify(SdkOracle.Case c) {
    SdkHttpRequest signed = SdkOracle.sign(c, SIGNED_AT);
    assertThat(SdkOracle.header(signed, "Authorization")).contains("/" + REGION + "/bedrock/aws4_request");

    SigV4Result result = verifierAt(SIGNED_AT.plusSeconds(90), c.credentials()).verify(new SigV4Verifier.Request(
        c.method(), signed.encodedPath(), signed.encodedQueryParameters().orElse(null), null,
        SigV4Verifier.Headers.of(signed.headers())), c.body());

    assertThat(result).isEqualTo(new SigV4Result.Verified(c.credentials().accessKeyId(), REGION, SERVICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sdkSignedRequestsVerifyOverHttp2WhereHostTravelsAsAuthority(SdkOracle.Case c) {
    SdkHttpRequest signed = SdkOracle.sign(c, SIGNED_AT);
    Map<String, List<String>> onTheWire = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    onTheWire.putAll(signed.headers());
    onTheWire.remove("Host");

    SigV4Result result = verifierAt(SIGNED_AT.minusSeconds(30), c.credentials()).verify(new SigV4Verifier.Request(
        c.method(), signed.encodedPath(), signed.encodedQueryParameters().orElse(null), c.authority(),
        SigV4Verifier.Headers.of(onTheWire)), c.body());

    assertThat(result.verified()).as("%s", result).isTrue();
  }

  @Test
  void signsTheHeaderListTheJavaSdkWasSeenSigningForBedrock() {
    SdkOracle.Case converse = cases().get(0);
    String observed = "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
        + "x-amz-content-sha256;x-amz-date, ";

    assertThat(SdkOracle.header(SdkOracle.sign(converse, SIGNED_AT), "Authorization")).contains(observed);
    assertThat(SdkOracle.signWithOurs(converse, SIGNED_AT).headers().get("Authorization")).contains(observed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oursSignsExactlyWhatTheSdkSigns(SdkOracle.Case c) {
    SdkHttpRequest sdk = SdkOracle.sign(c, SIGNED_AT);
    SigV4Signer.Signed ours = SdkOracle.signWithOurs(c, SIGNED_AT);

    assertThat(ours.headers().get("Authorization")).isEqualTo(SdkOracle.header(sdk, "Authorization"));
    assertThat(ours.headers().get("X-Amz-Date")).isEqualTo(SdkOracle.header(sdk, "X-Amz-Date")).isEqualTo(
        "20261126T063015Z");
    assertThat(ours.headers().get("x-amz-content-sha256"))
        .isEqualTo(SdkOracle.header(sdk, "x-amz-content-sha256"))
        .isEqualTo(c.signPayload() ? Crypto.sha256Hex(java.nio.ByteBuffer.wrap(c.body())) : "UNSIGNED-PAYLOAD");
    assertThat(ours.headers().get("X-Amz-Security-Token"))
        .isEqualTo(SdkOracle.header(sdk, "X-Amz-Security-Token"))
        .isEqualTo(c.credentials().sessionToken());
    assertThat(SdkOracle.header(sdk, "Host")).isEqualTo(c.authority());
    assertThat(ours.headers().get("Authorization")).endsWith("Signature=" + ours.signature());
  }
}
