package dev.switchboard.aws.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Vectors from the AWS Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30, service {@code service}, as
 * also replayed by smithy-typescript's {@code suite.fixture.ts}): requests without {@code x-amz-content-sha256}, so the
 * body's own hash is signed, and headers with repeated values, odd whitespace, UTF-8 paths and queries.
 */
final class SigV4TestSuiteTest {
  private static final Instant SIGNING_TIME = Instant.parse("2015-08-30T12:36:00Z");
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final String SCOPE = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
  private static final String TOKEN = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRX"
      + "mxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75"
      + "YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iS"
      + "IlTJabIQwj2ICCR/oLxBA==";

  record Vector(String name, String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
      String body, String signedHeaders, String signature) {
    @Override
    public String toString() {
      return name;
    }

    SigV4Verifier.Request request(String signature) {
      Map<String, List<String>> h = new LinkedHashMap<>(headers);
      h.put("Host", List.of("example.amazonaws.com"));
      h.put("X-Amz-Date", List.of("20150830T123600Z"));
      h.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + SCOPE + ", SignedHeaders=" + signedHeaders
          + ", Signature=" + signature));
      return new SigV4Verifier.Request(method, rawPath, rawQuery, null, SigV4Verifier.Headers.of(h));
    }
  }

  private static Vector v(String name, String method, String path, String query, Map<String, List<String>> headers,
      String body, String signedHeaders, String signature) {
    return new Vector(name, method, path, query, headers, body, signedHeaders, signature);
  }

  static List<Vector> vectors() {
    String hd = "host;x-amz-date";
    return List.of(
        v("get-vanilla", "GET", "/", null, Map.of(), "", hd,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", Map.of(), "", hd,
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        v("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", Map.of(), "", hd,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        v("get-vanilla-query-unreserved", "GET", "/",
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
                + "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", Map.of(), "", hd,
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        v("get-vanilla-utf8-query (raw)", "GET", "/", "\u1234=bar", Map.of(), "", hd,
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        v("get-vanilla-utf8-query (encoded)", "GET", "/", "%E1%88%B4=bar", Map.of(), "", hd,
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        v("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", null,
            Map.of(), "", hd, "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        v("get-utf8", "GET", "/\u1234", null, Map.of(), "", hd,
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        v("get-header-key-duplicate", "GET", "/", null,
            Map.of("My-Header1", List.of("value2", "value2", "value1")), "", "host;my-header1;x-amz-date",
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        v("get-header-value-order", "GET", "/", null,
            Map.of("My-Header1", List.of("value4", "value1", "value3", "value2")), "", "host;my-header1;x-amz-date",
            "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        v("get-header-value-trim", "GET", "/", null,
            Map.of("My-Header1", List.of(" value1"), "My-Header2", List.of(" \"a   b   c\"")), "",
            "host;my-header1;my-header2;x-amz-date",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        v("post-vanilla", "POST", "/", null, Map.of(), "", hd,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        v("post-vanilla-query", "POST", "/", "Param1=value1", Map.of(), "", hd,
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        v("post-header-value-case", "POST", "/", null, Map.of("My-Header1", List.of("VALUE1")), "",
            "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        v("post-sts-header-before", "POST", "/", null, Map.of("X-Amz-Security-Token", List.of(TOKEN)), "",
            "host;x-amz-date;x-amz-security-token",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        v("post-x-www-form-urlencoded", "POST", "/", null,
            Map.of("Content-Type", List.of("application/x-www-form-urlencoded")), "Param1=value1",
            "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        v("post-x-www-form-urlencoded-parameters", "POST", "/", null,
            Map.of("Content-Type", List.of("application/x-www-form-urlencoded; charset=utf8")), "Param1=value1",
            "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        v("post-vanilla-query-nonunreserved", "POST", "/",
            "%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D", Map.of(), "", hd,
            "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"));
  }

  private final SigV4Verifier verifier = SigV4Verifier.builder()
      .secrets(id -> id.equals("AKIDEXAMPLE") ? SECRET : null)
      .service("service")
      .clock(() -> SIGNING_TIME)
      .build();

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifiesTheSuiteVector(Vector v) {
    SigV4Result result = verifier.verify(v.request(v.signature()), v.body().getBytes(StandardCharsets.UTF_8));

    assertThat(result).as("%s", result).isEqualTo(new SigV4Result.Verified("AKIDEXAMPLE", "us-east-1", "service"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void rejectsTheVectorWithAnotherSignature(Vector v) {
    String other = v.signature().substring(1) + (v.signature().charAt(0) == 'a' ? 'b' : 'a');

    SigV4Result result = verifier.verify(v.request(other), v.body().getBytes(StandardCharsets.UTF_8));

    assertThat(result).isInstanceOfSatisfying(SigV4Result.Rejected.class,
        r -> assertThat(r.failure()).isEqualTo(SigV4Result.Failure.INVALID_SIGNATURE));
  }

  @Test
  void withoutAHashHeaderTheBodysOwnHashIsSignedSoATamperedBodyFails() {
    Vector form = vectors().stream().filter(v -> v.name().equals("post-x-www-form-urlencoded")).findFirst().get();

    SigV4Result result = verifier.verify(form.request(form.signature()),
        "Param1=value2".getBytes(StandardCharsets.UTF_8));

    assertThat(result).isInstanceOfSatisfying(SigV4Result.Rejected.class, r -> {
      assertThat(r.failure()).isEqualTo(SigV4Result.Failure.INVALID_SIGNATURE);
      assertThat(r.message()).contains("\ncontent-type;host;x-amz-date\n"
          + Crypto.sha256Hex(java.nio.ByteBuffer.wrap("Param1=value2".getBytes(StandardCharsets.UTF_8))) + "'");
    });
  }
}
