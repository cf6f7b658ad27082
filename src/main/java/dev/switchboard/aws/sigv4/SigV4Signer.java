package dev.switchboard.aws.sigv4;

import dev.switchboard.util.Checks;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Signs outgoing requests with AWS Signature Version 4 in the {@code Authorization} header, as the AWS SDK for Java v2
 * does for Bedrock Runtime (same canonical form, same signed headers, same signature for the same inputs and time).
 *
 * <p>The path goes in already encoded for the wire: build it from segments with {@link #encodePathSegment}, so a model
 * id {@code anthropic.claude-x-v1:0} travels as {@code anthropic.claude-x-v1%3A0}; the signer then canonicalises it with
 * the second encoding every service but S3 expects. It signs {@code host} (from the request authority), every header the
 * caller gives except those that proxies may change ({@code user-agent}, hop-by-hop headers, {@code x-amzn-trace-id}),
 * and the headers it adds: {@code X-Amz-Date}, {@code x-amz-content-sha256} and, with a session token,
 * {@code X-Amz-Security-Token}.
 *
 * <p>Immutable and thread-safe; one instance per (region, service) serves every request. Signing keys are derived once
 * per (secret, day) and cached.
 *
 * <pre>{@code
 * SigV4Signer signer = SigV4Signer.create("us-east-1", "bedrock", InstantSource.system());
 * SigV4Signer.Signed signed = signer.sign(
 *     SigV4Signer.Request.builder("POST", "bedrock-runtime.us-east-1.amazonaws.com",
 *             "/model/" + SigV4Signer.encodePathSegment(modelId) + "/converse")
 *         .header("content-type", "application/json")
 *         .body(json)
 *         .build(),
 *     credentials);
 * signed.headers().forEach(request::putHeader);
 * }</pre>
 */
public final class SigV4Signer {
  /** Headers never signed: a proxy or the HTTP client may add, drop or change them. */
  static final Set<String> UNSIGNED_HEADERS = Set.of("connection", "expect", "keep-alive", "proxy-authorization",
      "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id");
  /** Headers the signer sets itself, which a caller must not pass. */
  static final Set<String> SIGNER_HEADERS =
      Set.of("authorization", "host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token");

  private final String region;
  private final String service;
  private final InstantSource clock;
  private final SigningKeys keys = new SigningKeys();

  private SigV4Signer(String region, String service, InstantSource clock) {
    this.region = SigV4Verifier.checkScopePart(region, "region");
    this.service = SigV4Verifier.checkScopePart(service, "service");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param region the signing region, e.g. {@code us-east-1}
   * @param service the signing name, {@code bedrock} for Bedrock Runtime
   * @param clock where the signing time comes from; {@link InstantSource#system()} in production
   */
  public static SigV4Signer create(String region, String service, InstantSource clock) {
    return new SigV4Signer(region, service, clock);
  }

  /**
   * Percent-encodes one path segment for the wire: everything but {@code A-Z a-z 0-9 - _ . ~} becomes {@code %XX} of its
   * UTF-8 bytes, {@code /} and {@code :} included, as the AWS SDKs encode model ids and ARNs.
   */
  public static String encodePathSegment(String segment) {
    return Canonical.segment(Objects.requireNonNull(segment, "segment"));
  }

  /**
   * Signs {@code request} now, with {@code credentials}.
   *
   * @return the headers to add to the request as it is sent; the request must go out with exactly the signed headers
   *     and values, to the signed authority, path and query
   */
  public Signed sign(Request request, AwsCredentials credentials) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(credentials, "credentials");
    Instant now = clock.instant();
    String amzDate = AmzDate.format(now);
    String date = amzDate.substring(0, 8);
    String payloadHash = request.payloadHash();

    TreeMap<String, String> signed = new TreeMap<>();
    request.headers.forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!UNSIGNED_HEADERS.contains(lower)) signed.put(lower, Canonical.headerValue(value));
    });
    signed.put("host", request.authority);
    signed.put("x-amz-content-sha256", payloadHash);
    signed.put("x-amz-date", amzDate);
    if (credentials.sessionToken() != null) signed.put("x-amz-security-token", credentials.sessionToken());

    StringBuilder canonicalHeaders = new StringBuilder(512);
    signed.forEach((name, value) -> canonicalHeaders.append(name).append(':').append(value).append('\n'));
    String signedHeaders = String.join(";", signed.keySet());
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String canonicalRequest = Signing.canonicalRequest(request.method, Canonical.uri(request.rawPath),
        Canonical.query(request.rawQuery), canonicalHeaders.toString(), signedHeaders, payloadHash);
    byte[] key = keys.get(credentials.secretAccessKey(), date, region, service);
    String signature = Signing.signature(key, Signing.stringToSign(amzDate, scope, canonicalRequest));

    LinkedHashMap<String, String> add = new LinkedHashMap<>();
    add.put("X-Amz-Date", amzDate);
    if (credentials.sessionToken() != null) add.put("X-Amz-Security-Token", credentials.sessionToken());
    add.put("x-amz-content-sha256", payloadHash);
    add.put("Authorization", Signing.ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    return new Signed(Collections.unmodifiableMap(add), signature);
  }

  SigningKeys signingKeys() {
    return keys;
  }

  /**
   * The outcome of signing: the headers to add, in the order the SDK adds them ({@code X-Amz-Date},
   * {@code X-Amz-Security-Token} if any, {@code x-amz-content-sha256}, {@code Authorization}), and the bare signature.
   * The {@code Host} header is not among them: the HTTP client sends the request's authority itself, and it must equal
   * the {@code authority} that was signed.
   */
  public record Signed(Map<String, String> headers, String signature) {
    public Signed {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** An outgoing request to sign. Immutable; built and validated by {@link Builder}. */
  public static final class Request {
    private final String method;
    private final String authority;
    private final String rawPath;
    private final String rawQuery;
    private final Map<String, String> headers;
    private final ByteBuffer body;
    private final String payloadHash;

    private Request(Builder b) {
      this.method = b.method;
      this.authority = b.authority;
      this.rawPath = b.rawPath;
      this.rawQuery = b.rawQuery;
      this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
      this.body = b.body;
      this.payloadHash = b.payloadHash;
    }

    /**
     * Starts a request.
     *
     * @param method e.g. {@code POST}
     * @param authority {@code host[:port]} exactly as the client will send it as Host or {@code :authority} (no port
     *     for the scheme's default port)
     * @param rawPath the path as it goes on the wire: starts with {@code /}, segments already percent-encoded (see
     *     {@link SigV4Signer#encodePathSegment}), no {@code .}, {@code ..} or empty segments (a trailing {@code /} is fine)
     */
    public static Builder builder(String method, String authority, String rawPath) {
      return new Builder(method, authority, rawPath);
    }

    String payloadHash() {
      if (payloadHash != null) return payloadHash;
      return body == null ? Crypto.EMPTY_SHA256 : Crypto.sha256Hex(body);
    }

    /** Configures a {@link Request}; each setter validates its argument at once. Not thread-safe. */
    public static final class Builder {
      private final String method;
      private final String authority;
      private final String rawPath;
      private String rawQuery = "";
      private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      private ByteBuffer body;
      private String payloadHash;

      private Builder(String method, String authority, String rawPath) {
        Checks.argument(method != null && isToken(method), "method : %s (expected: an HTTP method token)", method);
        Checks.argument(authority != null && !authority.isEmpty() && authority.chars().allMatch(Builder::isAuthorityChar),
            "authority : %s (expected: host[:port] without scheme, path or spaces)", authority);
        checkPath(rawPath);
        this.method = method;
        this.authority = authority;
        this.rawPath = rawPath;
      }

      /** The query as it goes on the wire, without {@code ?}, each name and value percent-encoded; none by default. */
      public Builder query(String rawQuery) {
        Checks.argument(rawQuery != null && rawQuery.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '#'),
            "rawQuery : %s (expected: percent-encoded ASCII without spaces or '#')", rawQuery);
        this.rawQuery = rawQuery;
        return this;
      }

      /**
       * Adds a header the request will carry; it is signed unless it is one that proxies may change. Names are
       * case-insensitive and may be given once; {@code Host}, {@code Authorization} and the {@code X-Amz-Date},
       * {@code x-amz-content-sha256} and {@code X-Amz-Security-Token} headers are the signer's own.
       */
      public Builder header(String name, String value) {
        Checks.argument(name != null && isToken(name), "header name : %s (expected: an HTTP token)", name);
        String lower = name.toLowerCase(Locale.ROOT);
        Checks.argument(!SIGNER_HEADERS.contains(lower),
            "header name : %s (expected: not one the signer sets: Host, Authorization, X-Amz-Date, "
                + "x-amz-content-sha256, X-Amz-Security-Token)", name);
        Checks.argument(!headers.containsKey(name), "header name : %s (expected: each header once; it was already set)",
            name);
        Checks.argument(value != null && value.indexOf('\r') < 0 && value.indexOf('\n') < 0,
            "header %s value : %s (expected: non-null, without CR or LF)", name, value);
        headers.put(name, value);
        return this;
      }

      /** The body, hashed into the signature. Not copied: it must not change until {@code sign} returns. */
      public Builder body(byte[] body) {
        return body(ByteBuffer.wrap(Objects.requireNonNull(body, "body")));
      }

      /** The remaining bytes of {@code body}, hashed into the signature; position and limit are left unchanged. */
      public Builder body(ByteBuffer body) {
        Checks.argument(payloadHash == null, "body : set after unsignedPayload() (expected: one or the other)");
        this.body = Objects.requireNonNull(body, "body");
        return this;
      }

      /**
       * Signs {@code UNSIGNED-PAYLOAD} instead of the body's hash, as the SDK does over HTTPS for services that allow
       * it; the body is then protected by TLS only.
       */
      public Builder unsignedPayload() {
        Checks.argument(body == null, "unsignedPayload : set after body(...) (expected: one or the other)");
        this.payloadHash = SigV4Verifier.UNSIGNED_PAYLOAD;
        return this;
      }

      public Request build() {
        return new Request(this);
      }

      private static void checkPath(String rawPath) {
        Checks.argument(rawPath != null && rawPath.startsWith("/"), "rawPath : %s (expected: starts with '/')", rawPath);
        for (int i = 0; i < rawPath.length(); i++) {
          char c = rawPath.charAt(i);
          boolean ok = Canonical.unreserved(c) || "/!$&'()*+,;=:@".indexOf(c) >= 0
              || (c == '%' && i + 2 < rawPath.length() && isHex(rawPath.charAt(i + 1)) && isHex(rawPath.charAt(i + 2)));
          Checks.argument(ok, "rawPath : %s (expected: percent-encoded; character '%s' at %d is not allowed)",
              rawPath, c, i);
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
          String segment = segments[i];
          boolean trailingSlash = i == segments.length - 1 && segment.isEmpty();
          Checks.argument(trailingSlash || (!segment.isEmpty() && !segment.equals(".") && !segment.equals("..")),
              "rawPath : %s (expected: no empty, '.' or '..' segments; SigV4 implementations normalise them "
                  + "differently)", rawPath);
        }
      }

      private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      }

      private static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (!(Canonical.unreserved(c) || "!#$%&'*+^`|".indexOf(c) >= 0)) return false;
        }
        return true;
      }

      private static boolean isAuthorityChar(int c) {
        return Canonical.unreserved(c) || c == ':' || c == '[' || c == ']' || c == '%';
      }
    }
  }
}
