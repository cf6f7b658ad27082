package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SigV4Result.Failure.INCOMPLETE_SIGNATURE;
import static dev.switchboard.aws.sigv4.SigV4Result.Failure.INVALID_SIGNATURE;
import static dev.switchboard.aws.sigv4.SigV4Result.Failure.MISSING_AUTHENTICATION_TOKEN;
import static dev.switchboard.aws.sigv4.SigV4Result.Failure.SIGNATURE_EXPIRED;
import static dev.switchboard.aws.sigv4.SigV4Result.Failure.UNRECOGNIZED_CLIENT;

import dev.switchboard.util.Checks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...}) on a request as received, the way an
 * AWS service front end does for the requests the AWS SDKs send to Bedrock Runtime.
 *
 * <p>What it checks, in order: an {@code Authorization} header is present and well formed; {@code X-Amz-Date} is present,
 * well formed, matches the credential scope's date and lies within the allowed clock skew (15 minutes unless configured);
 * the scope's service is the configured one ({@code bedrock}); {@code host} or {@code :authority} is signed and every
 * signed header is present; the access key id is known; the payload hash ({@code x-amz-content-sha256} when present, which
 * may be {@code UNSIGNED-PAYLOAD}, else the SHA-256 of the body) agrees with the body; and finally the signature, compared
 * in constant time. Any region is accepted and reported in {@link SigV4Result.Verified}.
 *
 * <p>The canonical URI is the raw path exactly as on the wire, percent-encoded once more (model ids arrive as
 * {@code anthropic.claude-x-v1%3A0} and inference-profile ARNs with {@code %2F}; decode nothing before calling). Over
 * HTTP/2 the JavaScript SDK signs {@code :authority} instead of {@code host} and the Java SDK signs {@code host} although
 * only {@code :authority} travels: pass the request authority in {@link Request#authority()} and both work.
 *
 * <p>Thread-safe and non-blocking as long as the {@link SecretLookup} is; one instance serves every request. Signing keys
 * are derived once per (secret, day, region, service) and cached.
 *
 * <pre>{@code
 * SigV4Verifier verifier = SigV4Verifier.builder().secrets(keyStore::secretFor).build();
 * SigV4Result result = verifier.verify(
 *     new SigV4Verifier.Request("POST", rawPath, rawQuery, authority, request.headers()::getAll), body);
 * }</pre>
 */
public final class SigV4Verifier {
  /** The signing name of Bedrock Runtime (not {@code bedrock-runtime}). */
  public static final String BEDROCK = "bedrock";

  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  private static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(15);

  private final SecretLookup secrets;
  private final String service;
  private final InstantSource clock;
  private final Duration maxSkew;
  private final SigningKeys keys = new SigningKeys();

  private SigV4Verifier(Builder b) {
    this.secrets = b.secrets;
    this.service = b.service;
    this.clock = b.clock;
    this.maxSkew = b.maxSkew;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies a request whose body is at hand. The body is hashed only when the payload is signed; the buffer's position
   * and limit are not changed.
   *
   * @param body the remaining bytes are the whole request body; empty for none
   */
  public SigV4Result verify(Request request, ByteBuffer body) {
    Objects.requireNonNull(body, "body");
    return check(request, body, null);
  }

  /** As {@link #verify(Request, ByteBuffer)}; the array is not copied or kept. */
  public SigV4Result verify(Request request, byte[] body) {
    return verify(request, ByteBuffer.wrap(Objects.requireNonNull(body, "body")));
  }

  /**
   * Verifies a request whose body the caller has hashed (for instance while it streamed past).
   *
   * @param bodySha256Hex lower- or upper-case hex SHA-256 of the whole body as received
   */
  public SigV4Result verifyWithBodyHash(Request request, String bodySha256Hex) {
    Checks.argument(bodySha256Hex != null && isHexSha256(bodySha256Hex),
        "bodySha256Hex : %s (expected: 64 hex digits)", bodySha256Hex);
    return check(request, null, bodySha256Hex);
  }

  SigningKeys signingKeys() {
    return keys;
  }

  private SigV4Result check(Request request, ByteBuffer body, String bodyHash) {
    Objects.requireNonNull(request, "request");
    try {
      return doCheck(request, body, bodyHash);
    } catch (Rejection e) {
      return e.rejected;
    }
  }

  private SigV4Result doCheck(Request r, ByteBuffer body, String bodyHash) {
    List<String> authorization = values(r.headers(), "authorization");
    if (authorization.isEmpty()) {
      throw Rejection.of(MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token: the request has no "
          + "Authorization header. Sign it with AWS Signature Version 4 (AWS4-HMAC-SHA256) using an access key this "
          + "gateway knows, for service '%s'.", service);
    }
    if (authorization.size() > 1) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "The request has %d Authorization headers; send exactly one.",
          authorization.size());
    }
    AuthorizationHeader auth = AuthorizationHeader.parse(authorization.get(0));

    String amzDate = single(r.headers(), "x-amz-date");
    if (amzDate == null) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "Authorization header requires existence of an 'X-Amz-Date' header "
          + "(the signing time, e.g. 20240131T235959Z); add it and sign it.");
    }
    Instant signedAt = AmzDate.parse(amzDate);
    if (signedAt == null) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "X-Amz-Date '%s' is not in ISO 8601 basic format "
          + "(expected: yyyyMMdd'T'HHmmss'Z', e.g. 20240131T235959Z).", amzDate);
    }
    if (!amzDate.startsWith(auth.date())) {
      throw Rejection.of(INVALID_SIGNATURE, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
          + "date from HTTP: '%s' != '%s', from '%s'.", auth.date(), amzDate.substring(0, 8), amzDate);
    }
    if (!auth.service().equals(service)) {
      throw Rejection.of(INVALID_SIGNATURE, "Credential should be scoped to correct service: '%s' (the credential "
          + "scope names '%s'; sign with service name '%s').", service, auth.service(), service);
    }
    checkSkew(amzDate, signedAt);

    String canonicalHeaders = canonicalHeaders(r, auth.signedHeaders());

    String secret = secrets.secretFor(auth.accessKeyId());
    if (secret == null) {
      throw Rejection.of(UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    }

    String payloadHash = payloadHash(r.headers(), body, bodyHash);

    String signedHeaders = String.join(";", auth.signedHeaders());
    String canonicalRequest = Signing.canonicalRequest(r.method(), Canonical.uri(r.rawPath()),
        Canonical.query(r.rawQuery()), canonicalHeaders, signedHeaders, payloadHash);
    String stringToSign = Signing.stringToSign(amzDate, auth.scope(), canonicalRequest);
    byte[] key = keys.get(secret, auth.date(), auth.region(), auth.service());
    String expected = Signing.signature(key, stringToSign);
    if (!Crypto.constantTimeEquals(expected, auth.signature())) {
      throw Rejection.of(INVALID_SIGNATURE, "The request signature we calculated does not match the signature you "
          + "provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for "
          + "details.\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should "
          + "have been\n'%s'\n", redactToken(canonicalRequest), stringToSign);
    }
    return new SigV4Result.Verified(auth.accessKeyId(), auth.region(), auth.service());
  }

  /**
   * The canonical request as quoted in an error message: a signed session token is a credential and error messages end
   * up in logs, so its value is replaced (the String-to-Sign still hashes the real one).
   */
  static String redactToken(String canonicalRequest) {
    String name = "\nx-amz-security-token:";
    int start = canonicalRequest.indexOf(name);
    if (start < 0) return canonicalRequest;
    int end = canonicalRequest.indexOf('\n', start + name.length());
    return canonicalRequest.substring(0, start + name.length()) + "<redacted>" + canonicalRequest.substring(end);
  }

  private void checkSkew(String amzDate, Instant signedAt) {
    Instant now = clock.instant();
    if (signedAt.isBefore(now.minus(maxSkew))) {
      throw Rejection.of(SIGNATURE_EXPIRED, "Signature expired: %s is now earlier than %s (%s - %s.) Re-sign the "
          + "request, and check the client's clock against this response's Date header.",
          amzDate, AmzDate.format(now.minus(maxSkew)), AmzDate.format(now), skewText());
    }
    if (signedAt.isAfter(now.plus(maxSkew))) {
      throw Rejection.of(SIGNATURE_EXPIRED, "Signature not yet current: %s is still later than %s (%s + %s.) Check "
          + "the client's clock against this response's Date header.",
          amzDate, AmzDate.format(now.plus(maxSkew)), AmzDate.format(now), skewText());
    }
  }

  private String skewText() {
    long seconds = maxSkew.toSeconds();
    return seconds % 60 == 0 ? (seconds / 60) + " min" : seconds + " sec";
  }

  /** The canonical header block, one {@code name:value\n} per signed header, in the order SignedHeaders lists them. */
  private static String canonicalHeaders(Request r, List<String> signedHeaders) {
    if (!signedHeaders.contains("host") && !signedHeaders.contains(":authority")) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
          + "Authorization (SignedHeaders=%s).", String.join(";", signedHeaders));
    }
    StringBuilder out = new StringBuilder(512);
    for (String name : signedHeaders) {
      List<String> values = headerValues(r, name);
      if (values.isEmpty()) {
        throw Rejection.of(INCOMPLETE_SIGNATURE, "Header '%s' is listed in SignedHeaders but the request %s; send "
            + "every header you sign.", name, name.equals(":authority") || name.equals("host")
                ? "has no authority (neither ':authority' nor Host)" : "does not carry it");
      }
      out.append(name).append(':');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) out.append(',');
        Canonical.appendHeaderValue(out, values.get(i));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * The values of one signed header. {@code host} falls back to the authority (HTTP/2 carries Host as
   * {@code :authority}), and {@code :authority} to the Host header.
   */
  private static List<String> headerValues(Request r, String name) {
    if (name.equals(":authority")) {
      return r.authority() != null ? List.of(r.authority()) : values(r.headers(), "host");
    }
    List<String> values = values(r.headers(), name);
    if (values.isEmpty() && name.equals("host") && r.authority() != null) return List.of(r.authority());
    return values;
  }

  private static String payloadHash(Headers headers, ByteBuffer body, String bodyHash) {
    String declared = single(headers, "x-amz-content-sha256");
    if (declared == null) return bodyHash != null ? bodyHash.toLowerCase(Locale.ROOT) : Crypto.sha256Hex(body);
    if (declared.equals(UNSIGNED_PAYLOAD)) return declared;
    if (!isHexSha256(declared)) {
      throw Rejection.of(INVALID_SIGNATURE, "x-amz-content-sha256 '%s' is not supported here (expected: the hex "
          + "SHA-256 of the body, or UNSIGNED-PAYLOAD).", declared.length() > 64 ? declared.substring(0, 64) : declared);
    }
    String actual = bodyHash != null ? bodyHash : Crypto.sha256Hex(body);
    if (!declared.equalsIgnoreCase(actual)) {
      throw Rejection.of(INVALID_SIGNATURE, "The provided 'x-amz-content-sha256' header does not match what was "
          + "computed from the request body (%s); hash exactly the bytes you send.", actual.toLowerCase(Locale.ROOT));
    }
    return declared;
  }

  static boolean isHexSha256(String s) {
    if (s.length() != 64) return false;
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
  }

  private static List<String> values(Headers headers, String name) {
    List<String> values = headers.getAll(name);
    return values == null ? List.of() : values;
  }

  /** The one value of a header that must appear at most once; null when absent. */
  private static String single(Headers headers, String name) {
    List<String> values = values(headers, name);
    if (values.isEmpty()) return null;
    if (values.size() > 1) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "The request has %d '%s' headers; send exactly one.", values.size(),
          name);
    }
    return values.get(0).strip();
  }

  /**
   * A request as received, before anything is decoded.
   *
   * @param method the request method as received, e.g. {@code POST}
   * @param rawPath the path exactly as on the wire, still percent-encoded (no query, no fragment)
   * @param rawQuery the query string as on the wire without the {@code ?}; null or empty for none
   * @param authority the request authority ({@code host[:port]}): the HTTP/2 {@code :authority} pseudo-header, which
   *     must be supplied for requests that came over HTTP/2; may be null over HTTP/1.1, where {@code Host} is a header
   * @param headers the request headers, looked up case-insensitively
   */
  public record Request(String method, String rawPath, String rawQuery, String authority, Headers headers) {
    public Request {
      Checks.notBlank(method, "method");
      Objects.requireNonNull(rawPath, "rawPath");
      Objects.requireNonNull(headers, "headers");
    }
  }

  /**
   * Case-insensitive, multi-valued header lookup: a Vert.x {@code MultiMap} fits as {@code headers::getAll}.
   * Implementations return every value of the named header in the order received, or an empty list (or null) when it is
   * absent.
   */
  @FunctionalInterface
  public interface Headers {
    List<String> getAll(String name);

    /** A case-insensitive view of a copy of {@code headers}; keys differing only in case are merged in map order. */
    static Headers of(Map<String, List<String>> headers) {
      TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.forEach((name, values) -> {
        if (values != null) copy.computeIfAbsent(name, k -> new ArrayList<>()).addAll(values);
      });
      return name -> copy.getOrDefault(name, List.of());
    }
  }

  /** Finds the secret access key of an access key id. Must be fast and must not block: it runs on the event loop. */
  @FunctionalInterface
  public interface SecretLookup {
    /** Returns the secret of {@code accessKeyId}, or null if the key id is unknown (or disabled). */
    String secretFor(String accessKeyId);
  }

  /** Configures a {@link SigV4Verifier}. Not thread-safe; {@link #build()} validates and may be called again. */
  public static final class Builder {
    private SecretLookup secrets;
    private String service = BEDROCK;
    private InstantSource clock = InstantSource.system();
    private Duration maxSkew = DEFAULT_MAX_SKEW;

    private Builder() {}

    /** Required: where secrets come from. */
    public Builder secrets(SecretLookup secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets");
      return this;
    }

    /** The service name the credential scope must carry; {@code bedrock} unless set. */
    public Builder service(String service) {
      this.service = checkScopePart(service, "service");
      return this;
    }

    /** The gateway's clock; the system clock unless set. Tests pass a fixed or hand-advanced source. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How far {@code X-Amz-Date} may be from the gateway's clock, either way; 15 minutes unless set. */
    public Builder maxClockSkew(Duration maxSkew) {
      Checks.argument(maxSkew != null && !maxSkew.isNegative() && !maxSkew.isZero()
              && maxSkew.compareTo(Duration.ofHours(1)) <= 0 && maxSkew.toMillis() % 1000 == 0,
          "maxClockSkew : %s (expected: whole seconds, more than 0 and at most PT1H)", maxSkew);
      this.maxSkew = maxSkew;
      return this;
    }

    public SigV4Verifier build() {
      Checks.argument(secrets != null, "secrets : null (expected: a SecretLookup; call secrets(...))");
      return new SigV4Verifier(this);
    }
  }

  static String checkScopePart(String value, String name) {
    Checks.notBlank(value, name);
    Checks.argument(value.indexOf('/') < 0 && value.strip().equals(value),
        "%s : '%s' (expected: no '/' and no surrounding spaces)", name, value);
    return value;
  }
}
