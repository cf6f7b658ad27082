package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SdkOracle.CREDENTIALS;
import static dev.switchboard.aws.sigv4.SdkOracle.MODEL_PATH;
import static dev.switchboard.aws.sigv4.SdkOracle.SIGNED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ObjectAssert;
import org.junit.jupiter.api.Test;

/**
 * Every way a request fails verification: the AWS error code, HTTP 403, and a message that says what is wrong. The
 * starting point is a ConverseStream-shaped request signed by our signer (which the interop test holds to the SDK's).
 */
final class SigV4VerifierFailuresTest {
  private static final String HOST = "gateway.example.com";
  private static final String QUERY = "trace=ENABLED";
  private static final byte[] BODY = SdkOracle.BODY.getBytes(StandardCharsets.UTF_8);

  private final AtomicReference<Instant> now = new AtomicReference<>(SIGNED_AT);
  private final SigV4Verifier verifier = SigV4Verifier.builder()
      .secrets(id -> id.equals(CREDENTIALS.accessKeyId()) ? CREDENTIALS.secretAccessKey() : null)
      .clock(now::get)
      .build();

  /** A received request, editable: headers by lower-case name. */
  private static final class Received {
    String method = "POST";
    String path = MODEL_PATH;
    String query = QUERY;
    final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    byte[] body = BODY;

    SigV4Verifier.Request request() {
      return new SigV4Verifier.Request(method, path, query, null, SigV4Verifier.Headers.of(headers));
    }

    void set(String name, String value) {
      headers.put(name, new ArrayList<>(List.of(value)));
    }

    String get(String name) {
      return headers.get(name).get(0);
    }
  }

  private static Received signed(AwsCredentials credentials, boolean signPayload) {
    SigV4Signer.Request.Builder b = SigV4Signer.Request.builder("POST", HOST, MODEL_PATH).query(QUERY);
    SdkOracle.javaSdkHeaders(BODY.length, null).forEach(b::header);
    if (signPayload) b.body(BODY);
    else b.unsignedPayload();
    SigV4Signer.Signed s = SigV4Signer.create("us-west-2", "bedrock", () -> SIGNED_AT).sign(b.build(), credentials);
    Received r = new Received();
    SdkOracle.javaSdkHeaders(BODY.length, null).forEach(r::set);
    r.set("Host", HOST);
    s.headers().forEach(r::set);
    return r;
  }

  private static Received signed() {
    return signed(CREDENTIALS, true);
  }

  private SigV4Result verify(Received r) {
    return verifier.verify(r.request(), r.body);
  }

  private ObjectAssert<SigV4Result.Rejected> assertRejected(Received r, SigV4Result.Failure failure) {
    SigV4Result result = verify(r);
    assertThat(result).isInstanceOf(SigV4Result.Rejected.class);
    SigV4Result.Rejected rejected = (SigV4Result.Rejected) result;
    assertThat(rejected.failure()).as(rejected.message()).isEqualTo(failure);
    assertThat(rejected.httpStatus()).isEqualTo(403);
    assertThat(rejected.errorCode()).isEqualTo(failure.errorCode());
    assertThat(rejected.message()).doesNotContain(CREDENTIALS.secretAccessKey());
    return assertThat(rejected);
  }

  private static String message(ObjectAssert<SigV4Result.Rejected> a) {
    return a.actual().message();
  }

  @Test
  void theUntouchedRequestVerifies() {
    assertThat(verify(signed())).isEqualTo(new SigV4Result.Verified("AKIDEXAMPLE", "us-west-2", "bedrock"));
  }

  @Test
  void noAuthorizationIsMissingAuthenticationToken() {
    Received r = signed();
    r.headers.remove("Authorization");

    var a = assertRejected(r, SigV4Result.Failure.MISSING_AUTHENTICATION_TOKEN);
    assertThat(message(a)).startsWith("Missing Authentication Token").contains("AWS Signature Version 4")
        .contains("'bedrock'");
    assertThat(a.actual().errorCode()).isEqualTo("MissingAuthenticationTokenException");
  }

  @Test
  void garbageAuthorizationIsIncomplete() {
    Received r = signed();
    r.set("Authorization", "garbage");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("AWS4-HMAC-SHA256").contains("expected:");

    r.set("Authorization", "Bearer sk-live-0123456789abcdef");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("'Bearer'").doesNotContain("sk-live");

    r.set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/bedrock/aws4_request");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("requires 'SignedHeaders', 'Signature' parameters");

    r.set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/bedrock, SignedHeaders=host, "
        + "Signature=00");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("Credential 'AKIDEXAMPLE/20261126/us-west-2/bedrock' is malformed");

    r.set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/bedrock/aws4_request, "
        + "SignedHeaders=host;;x-amz-date, Signature=00");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE))).contains("empty header name");
  }

  @Test
  void twoAuthorizationHeadersAreIncomplete() {
    Received r = signed();
    r.headers.get("Authorization").add(r.get("Authorization"));
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE))).contains("2 Authorization");
  }

  @Test
  void missingOrMalformedXAmzDateIsIncomplete() {
    Received r = signed();
    r.headers.remove("X-Amz-Date");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE))).contains("'X-Amz-Date'");

    r.set("X-Amz-Date", "2026-11-26T06:30:15Z");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("'2026-11-26T06:30:15Z'").contains("yyyyMMdd'T'HHmmss'Z'");

    r.set("X-Amz-Date", "20261131T063015Z");
    assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE);
  }

  @Test
  void unknownAccessKeyIsUnrecognizedClient() {
    Received r = signed(AwsCredentials.of("AKIDUNKNOWN", CREDENTIALS.secretAccessKey()), true);

    var a = assertRejected(r, SigV4Result.Failure.UNRECOGNIZED_CLIENT);
    assertThat(message(a)).isEqualTo("The security token included in the request is invalid.");
    assertThat(a.actual().errorCode()).isEqualTo("UnrecognizedClientException");
  }

  @Test
  void wrongSecretIsInvalidSignatureWithTheCanonicalRequestAsAHint() {
    Received r = signed(AwsCredentials.of(CREDENTIALS.accessKeyId(), "not-the-secret"), true);

    var a = assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
    assertThat(a.actual().errorCode()).isEqualTo("InvalidSignatureException");
    assertThat(message(a))
        .startsWith("The request signature we calculated does not match the signature you provided.")
        .contains("The Canonical String for this request should have been\n'POST\n"
            + "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\ntrace=ENABLED\n")
        .contains("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261126T063015Z\n"
            + "20261126/us-west-2/bedrock/aws4_request\n");
  }

  @Test
  void theHintNeverQuotesASessionToken() {
    Received r = signed(new AwsCredentials(CREDENTIALS.accessKeyId(), "not-the-secret", "IQoJb3JpZ2luX2VjSESSION"), true);

    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("\nx-amz-security-token:<redacted>\n").doesNotContain("IQoJb3JpZ2luX2VjSESSION");
  }

  @Test
  void tamperedBodyFailsAgainstTheDeclaredHash() {
    Received r = signed();
    r.body = SdkOracle.BODY.replace("64", "9999").getBytes(StandardCharsets.UTF_8);

    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("'x-amz-content-sha256'").contains("does not match");
  }

  @Test
  void unsignedPayloadDoesNotCoverTheBody() {
    Received r = signed(CREDENTIALS, false);
    assertThat(r.get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
    r.body = "anything at all".getBytes(StandardCharsets.UTF_8);

    assertThat(verify(r).verified()).as("UNSIGNED-PAYLOAD leaves the body to TLS, as on AWS").isTrue();
  }

  @Test
  void aHashTheCallerComputedIsCheckedTheSameWay() {
    Received r = signed();
    String bodyHash = r.get("x-amz-content-sha256");
    assertThat(verifier.verifyWithBodyHash(r.request(), bodyHash.toUpperCase()).verified()).isTrue();

    SigV4Result wrong = verifier.verifyWithBodyHash(r.request(), Crypto.EMPTY_SHA256);
    assertThat(wrong).isInstanceOfSatisfying(SigV4Result.Rejected.class,
        rej -> assertThat(rej.message()).contains("does not match what was computed from the request body"));
  }

  @Test
  void unsupportedPayloadHashValuesAreRejected() {
    Received r = signed();
    r.set("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-EVENTS");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("'STREAMING-AWS4-HMAC-SHA256-EVENTS' is not supported");
  }

  @Test
  void tamperedPathFailsTheSignature() {
    Received r = signed();
    r.path = MODEL_PATH.replace("sonnet", "haiku");
    assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
  }

  @Test
  void aDecodedPathFailsTheSignatureTheRawOneIsNeeded() {
    Received r = signed();
    r.path = MODEL_PATH.replace("%3A", ":");
    assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
  }

  @Test
  void tamperedQueryFailsTheSignature() {
    Received r = signed();
    r.query = "trace=DISABLED";
    assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
    r.query = null;
    assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
  }

  @Test
  void tamperedSignedHeaderFailsButAnUnsignedOneMayChange() {
    Received r = signed();
    r.set("User-Agent", "a proxy rewrote this");
    r.set("X-Forwarded-For", "10.0.0.1");
    assertThat(verify(r).verified()).isTrue();

    r.set("Content-Type", "text/plain");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("\ncontent-type:text/plain\n");
  }

  @Test
  void signedHeaderValuesAreComparedTrimmedAndCollapsed() {
    Received r = signed();
    r.set("amz-sdk-request", "  attempt=1;    max=4 ");
    assertThat(verify(r).verified()).isTrue();
  }

  @Test
  void aMissingSignedHeaderIsIncompleteAndNamed() {
    Received r = signed();
    r.headers.remove("amz-sdk-invocation-id");
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("'amz-sdk-invocation-id' is listed in SignedHeaders but the request does not carry it");
  }

  @Test
  void hostOrAuthorityMustBeSigned() {
    Received r = signed();
    r.set("Authorization", r.get("Authorization").replace(";host;", ";"));
    assertThat(message(assertRejected(r, SigV4Result.Failure.INCOMPLETE_SIGNATURE)))
        .contains("'Host' or ':authority' must be a 'SignedHeader'");
  }

  @Test
  void aFlippedSignatureCharacterFailsWhereverItIs() {
    Received r = signed();
    String auth = r.get("Authorization");
    int sig = auth.indexOf("Signature=") + "Signature=".length();
    for (int at : new int[] {sig, sig + 31, auth.length() - 1}) {
      char c = auth.charAt(at);
      r.set("Authorization", auth.substring(0, at) + (c == '0' ? '1' : '0') + auth.substring(at + 1));
      assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
    }
    r.set("Authorization", auth + "00");
    assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE);
  }

  @Test
  void theComparisonIsConstantTime() {
    // MessageDigest.isEqual compares every byte whatever the first difference; here is the contract it upholds.
    String sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    assertThat(Crypto.constantTimeEquals(sig, sig)).isTrue();
    assertThat(Crypto.constantTimeEquals(sig, "0" + sig.substring(1))).isFalse();
    assertThat(Crypto.constantTimeEquals(sig, sig.substring(0, 63) + "0")).isFalse();
    assertThat(Crypto.constantTimeEquals(sig, sig.substring(1))).isFalse();
  }

  @Test
  void aDateOutsideTheSkewWindowHasExpired() {
    Received r = signed();
    now.set(SIGNED_AT.plus(Duration.ofMinutes(15)));
    assertThat(verify(r).verified()).as("15 minutes late is still in the window").isTrue();

    now.set(SIGNED_AT.plus(Duration.ofMinutes(15)).plusSeconds(1));
    var late = assertRejected(r, SigV4Result.Failure.SIGNATURE_EXPIRED);
    assertThat(late.actual().errorCode()).isEqualTo("InvalidSignatureException");
    assertThat(message(late)).startsWith(
        "Signature expired: 20261126T063015Z is now earlier than 20261126T063016Z (20261126T064516Z - 15 min.)");

    now.set(SIGNED_AT.minus(Duration.ofMinutes(15)));
    assertThat(verify(r).verified()).as("15 minutes early is still in the window").isTrue();

    now.set(SIGNED_AT.minus(Duration.ofMinutes(15)).minusSeconds(1));
    assertThat(message(assertRejected(r, SigV4Result.Failure.SIGNATURE_EXPIRED))).startsWith(
        "Signature not yet current: 20261126T063015Z is still later than 20261126T063014Z "
            + "(20261126T061514Z + 15 min.)");
  }

  @Test
  void theSkewWindowCanBeNarrowed() {
    SigV4Verifier strict = SigV4Verifier.builder()
        .secrets(id -> CREDENTIALS.secretAccessKey())
        .clock(() -> SIGNED_AT.plusSeconds(301))
        .maxClockSkew(Duration.ofMinutes(5))
        .build();
    Received r = signed();
    SigV4Result result = strict.verify(r.request(), r.body);
    assertThat(result).isInstanceOfSatisfying(SigV4Result.Rejected.class,
        rej -> assertThat(rej.message()).contains("- 5 min.)"));
  }

  @Test
  void theScopeMustMatchTheDateAndTheService() {
    Received r = signed();
    r.set("Authorization", r.get("Authorization").replace("/20261126/", "/20261125/"));
    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("Date in Credential scope does not match").contains("'20261125' != '20261126'");

    r = signed();
    r.set("Authorization", r.get("Authorization").replace("/bedrock/", "/bedrock-runtime/"));
    assertThat(message(assertRejected(r, SigV4Result.Failure.INVALID_SIGNATURE)))
        .contains("Credential should be scoped to correct service: 'bedrock'").contains("'bedrock-runtime'");
  }
}
