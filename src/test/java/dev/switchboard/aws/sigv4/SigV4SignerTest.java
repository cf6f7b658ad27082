package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SdkOracle.CREDENTIALS;
import static dev.switchboard.aws.sigv4.SdkOracle.MODEL_PATH;
import static dev.switchboard.aws.sigv4.SdkOracle.SIGNED_AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The signer's contract beyond SDK equality: eager validation, what it adds, and the signing-key cache. */
final class SigV4SignerTest {
  private final AtomicReference<Instant> now = new AtomicReference<>(SIGNED_AT);
  private final SigV4Signer signer = SigV4Signer.create("us-east-1", "bedrock", now::get);

  private static SigV4Signer.Request converse() {
    return SigV4Signer.Request.builder("POST", "bedrock-runtime.us-east-1.amazonaws.com", MODEL_PATH)
        .header("Content-Type", "application/json")
        .body("{}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  @Test
  void addsDateHashAndAuthorizationInTheSdksOrder() {
    SigV4Signer.Signed signed = signer.sign(converse(), CREDENTIALS);

    assertThat(signed.headers().keySet()).containsExactly("X-Amz-Date", "x-amz-content-sha256", "Authorization");
    assertThat(signed.headers().get("Authorization")).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/"
        + "us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature="
        + signed.signature());
    assertThat(signed.signature()).hasSize(64).matches("[0-9a-f]+");
  }

  @Test
  void aSessionTokenIsSentAndSigned() {
    SigV4Signer.Signed signed = signer.sign(converse(), new AwsCredentials("ASIAX", "s", "token/=="));

    assertThat(signed.headers().keySet())
        .containsExactly("X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256", "Authorization");
    assertThat(signed.headers().get("X-Amz-Security-Token")).isEqualTo("token/==");
    assertThat(signed.headers().get("Authorization")).contains(";x-amz-security-token, ");
  }

  @Test
  void theBodyBufferIsHashedWithoutBeingConsumed() {
    ByteBuffer body = ByteBuffer.wrap("xx{}xx".getBytes(StandardCharsets.UTF_8), 2, 2);
    SigV4Signer.Request r = SigV4Signer.Request.builder("POST", "h", "/").body(body).build();

    String hash = signer.sign(r, CREDENTIALS).headers().get("x-amz-content-sha256");

    assertThat(hash).isEqualTo(Crypto.sha256Hex("{}"));
    assertThat(body.position()).isEqualTo(2);
    assertThat(body.remaining()).isEqualTo(2);
    assertThat(signer.sign(SigV4Signer.Request.builder("GET", "h", "/").build(), CREDENTIALS).headers()
        .get("x-amz-content-sha256")).isEqualTo(Crypto.EMPTY_SHA256);
  }

  @Test
  void theSigningKeyIsDerivedOncePerDay() {
    for (int i = 0; i < 50; i++) signer.sign(converse(), CREDENTIALS);
    assertThat(signer.signingKeys().derivations()).isEqualTo(1);

    now.set(SIGNED_AT.plus(Duration.ofDays(1)));
    signer.sign(converse(), CREDENTIALS);
    signer.sign(converse(), AwsCredentials.of("AKIDOTHER", "another secret"));
    assertThat(signer.signingKeys().derivations()).isEqualTo(3);
  }

  @Test
  void theVerifierCachesSigningKeysToo() {
    SigV4Verifier verifier = SigV4Verifier.builder().secrets(id -> CREDENTIALS.secretAccessKey()).clock(now::get).build();
    SigV4Signer.Signed signed = signer.sign(converse(), CREDENTIALS);
    SigV4Verifier.Request received = new SigV4Verifier.Request("POST", MODEL_PATH, null, null, name -> switch (name) {
      case "content-type" -> List.of("application/json");
      case "host" -> List.of("bedrock-runtime.us-east-1.amazonaws.com");
      case "authorization" -> List.of(signed.headers().get("Authorization"));
      case "x-amz-date" -> List.of(signed.headers().get("X-Amz-Date"));
      case "x-amz-content-sha256" -> List.of(signed.headers().get("x-amz-content-sha256"));
      default -> List.of();
    });

    for (int i = 0; i < 50; i++) {
      assertThat(verifier.verify(received, "{}".getBytes(StandardCharsets.UTF_8)).verified()).isTrue();
    }
    assertThat(verifier.signingKeys().derivations()).isEqualTo(1);
  }

  @Test
  void theKeyCacheStaysBounded() {
    SigningKeys keys = new SigningKeys();
    for (int i = 0; i < SigningKeys.MAX_ENTRIES + 10; i++) keys.get("secret" + i, "20261126", "us-east-1", "bedrock");
    byte[] first = keys.get("secret0", "20261126", "us-east-1", "bedrock");

    assertThat(keys.derivations()).isEqualTo(SigningKeys.MAX_ENTRIES + 11L);
    assertThat(first).isEqualTo(SigningKeys.derive("secret0", "20261126", "us-east-1", "bedrock"));
  }

  @Test
  void badRequestsAreRefusedAtOnceNamingTheFieldAndTheRule() {
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "h", "model/x"))
        .withMessage("rawPath : model/x (expected: starts with '/')");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "h", "/model/a:b c"))
        .withMessageContaining("rawPath : /model/a:b c (expected: percent-encoded; character ' ' at 10");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "h", "/a/../b"))
        .withMessageContaining("no empty, '.' or '..' segments");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "h", "/a//b"))
        .withMessageContaining("no empty, '.' or '..' segments");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "h", "/a%2"))
        .withMessageContaining("character '%' at 2");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("POST", "https://h", "/"))
        .withMessage("authority : https://h (expected: host[:port] without scheme, path or spaces)");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("PO ST", "h", "/"))
        .withMessage("method : PO ST (expected: an HTTP method token)");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").query("a=b c"))
        .withMessageContaining("rawQuery : a=b c");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").header("Authorization", "x"))
        .withMessageContaining("header name : Authorization (expected: not one the signer sets");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").header("HOST", "x"))
        .withMessageContaining("header name : HOST");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").header("a", "1").header("A", "2"))
        .withMessage("header name : A (expected: each header once; it was already set)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").header("a", "1\r\nX-Injected: 1"))
        .withMessageContaining("without CR or LF");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Signer.Request.builder("GET", "h", "/").unsignedPayload().body(new byte[1]))
        .withMessageContaining("one or the other");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.create("us-east-1/x", "bedrock", now::get))
        .withMessage("region : 'us-east-1/x' (expected: no '/' and no surrounding spaces)");
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.create("us-east-1", " ", now::get))
        .withMessage("service :   (expected: a non-blank string)");
  }

  @Test
  void aTrailingSlashAndTheRootPathAreFine() {
    SigV4Signer.Request.builder("GET", "h", "/").build();
    SigV4Signer.Request.builder("GET", "h", "/foundation-models/").build();
    SigV4Signer.Request.builder("GET", "localhost:8080", "/a/b%2Fc/d:e@f").build();
  }

  @Test
  void theVerifierBuilderValidatesToo() {
    assertThatIllegalArgumentException().isThrownBy(() -> SigV4Verifier.builder().build())
        .withMessage("secrets : null (expected: a SecretLookup; call secrets(...))");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Verifier.builder().maxClockSkew(Duration.ofHours(2)))
        .withMessage("maxClockSkew : PT2H (expected: whole seconds, more than 0 and at most PT1H)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Verifier.builder().maxClockSkew(Duration.ZERO))
        .withMessageContaining("maxClockSkew : PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SigV4Verifier.builder().secrets(id -> null).build()
            .verifyWithBodyHash(new SigV4Verifier.Request("GET", "/", null, null, n -> List.of()), "abc"))
        .withMessage("bodySha256Hex : abc (expected: 64 hex digits)");
  }
}
