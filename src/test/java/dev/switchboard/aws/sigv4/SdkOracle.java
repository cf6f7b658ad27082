package dev.switchboard.aws.sigv4;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The AWS SDK for Java v2's own SigV4 signer ({@code AwsV4HttpSigner} from {@code http-auth-aws}, test scope only), and
 * the requests the tests sign with it and with ours: shaped like what {@code BedrockRuntimeClient} sends.
 */
final class SdkOracle {
  static final String REGION = "us-east-1";
  static final String SERVICE = "bedrock";
  static final Instant SIGNED_AT = Instant.parse("2026-11-26T06:30:15Z");
  static final AwsCredentials CREDENTIALS = AwsCredentials.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

  static final String MODEL_PATH = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse";
  static final String PROFILE_PATH = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile"
      + "%2Fus.anthropic.claude-x/converse-stream";
  static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, \\u00e9t\\u00e9!\"}]}],"
      + "\"inferenceConfig\":{\"maxTokens\":64}}";

  private SdkOracle() {}

  /**
   * One request to sign.
   *
   * @param query decoded query parameters, as the SDK holds them
   * @param headers headers as the SDK would send them before signing (user-agent included: it is never signed)
   * @param signPayload whether the payload hash is signed; false means {@code UNSIGNED-PAYLOAD} (HTTPS only)
   */
  record Case(String name, String protocol, String host, Integer port, String method, String rawPath,
      Map<String, List<String>> query, Map<String, String> headers, byte[] body, boolean signPayload,
      AwsCredentials credentials) {

    String authority() {
      return port == null ? host : host + ":" + port;
    }

    SdkHttpRequest unsigned() {
      SdkHttpRequest.Builder b = SdkHttpRequest.builder().protocol(protocol).host(host).port(port)
          .method(SdkHttpMethod.fromValue(method)).encodedPath(rawPath);
      query.forEach(b::putRawQueryParameter);
      headers.forEach(b::putHeader);
      return b.build();
    }

    /** The query as the SDK puts it on the wire, or null. */
    String rawQuery() {
      return unsigned().encodedQueryParameters().orElse(null);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> bedrockCases() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("converse, model id with %3A, signed payload", "https", "bedrock-runtime.us-east-1.amazonaws.com",
        null, "POST", MODEL_PATH, Map.of(), javaSdkHeaders(body.length, null), body, true, CREDENTIALS));
    cases.add(new Case("converse-stream, inference-profile ARN with %2F, plain HTTP on a port", "http", "localhost",
        8080, "POST", PROFILE_PATH, Map.of(), javaSdkHeaders(body.length, null), body, true, CREDENTIALS));
    cases.add(new Case("invoke-with-response-stream, query, UNSIGNED-PAYLOAD", "https",
        "bedrock-runtime.us-east-1.amazonaws.com", null, "POST",
        "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream",
        orderedQuery("trace", List.of("ENABLED"), "x-id", List.of("a b/c:d~e*f"), "empty", List.of("")),
        javaSdkHeaders(body.length, "application/json"), body, false, CREDENTIALS));
    cases.add(new Case("converse with a session token", "https", "bedrock-runtime.eu-west-3.amazonaws.com", null, "POST",
        MODEL_PATH, Map.of(), javaSdkHeaders(body.length, null), body, true,
        new AwsCredentials("ASIAEXAMPLE", "secret/with+chars", "IQoJb3JpZ2luX2VjE//////////wEaCXVzLWVhc3QtMSJH")));
    cases.add(new Case("GET without body, repeated and unsorted query values", "https", "bedrock.us-east-1.amazonaws.com",
        null, "GET", "/foundation-models",
        orderedQuery("byProvider", List.of("Anthropic"), "a", List.of("2", "1", "10"), "byOutputModality",
            List.of("TEXT")),
        Map.of("Accept", "application/json", "amz-sdk-request", "attempt=1; max=4"), new byte[0], true, CREDENTIALS));
    Map<String, String> messy = new LinkedHashMap<>(javaSdkHeaders(body.length, null));
    messy.put("X-Custom-Spaces", "   a    b \t c   ");
    cases.add(new Case("header value with runs of whitespace", "https", "bedrock-runtime.us-east-1.amazonaws.com", null,
        "POST", MODEL_PATH, Map.of(), messy, body, true, CREDENTIALS));
    return cases;
  }

  /** What BedrockRuntimeClient (Java, 2.57.8) sends and signs, per PROTOCOLS.md 0.3. */
  static Map<String, String> javaSdkHeaders(int contentLength, String bedrockAccept) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("amz-sdk-invocation-id", "8a3e1c2b-7f5d-4e1a-9b0c-1d2e3f4a5b6c");
    h.put("amz-sdk-request", "attempt=1; max=4");
    h.put("Content-Length", Integer.toString(contentLength));
    h.put("Content-Type", "application/json");
    h.put("User-Agent", "aws-sdk-java/2.57.8 ua/2.1 os/Linux#6.1 lang/java#25 md/internal exec-env/none");
    if (bedrockAccept != null) h.put("X-Amzn-Bedrock-Accept", bedrockAccept);
    return h;
  }

  private static Map<String, List<String>> orderedQuery(Object... pairs) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) pairs[i + 1];
      q.put((String) pairs[i], values);
    }
    return q;
  }

  /** Signs {@code c} with the SDK at {@code at}. */
  static SdkHttpRequest sign(Case c, Instant at) {
    AwsCredentials k = c.credentials();
    AwsCredentialsIdentity identity = k.sessionToken() == null
        ? AwsCredentialsIdentity.create(k.accessKeyId(), k.secretAccessKey())
        : AwsSessionCredentialsIdentity.create(k.accessKeyId(), k.secretAccessKey(), k.sessionToken());
    return AwsV4HttpSigner.create().sign(r -> r
            .identity(identity)
            .request(c.unsigned())
            .payload(ContentStreamProvider.fromByteArray(c.body()))
            .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
            .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SERVICE)
            .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, c.signPayload())
            .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
        .request();
  }

  /** The same request as {@link #sign}, signed by ours. */
  static SigV4Signer.Signed signWithOurs(Case c, Instant at) {
    SigV4Signer.Request.Builder b = SigV4Signer.Request.builder(c.method(), c.authority(), c.rawPath());
    if (c.rawQuery() != null) b.query(c.rawQuery());
    c.headers().forEach(b::header);
    if (c.signPayload()) b.body(c.body());
    else b.unsignedPayload();
    return SigV4Signer.create(REGION, SERVICE, () -> at).sign(b.build(), c.credentials());
  }

  /** The single value of a header of an SDK request, or null. */
  static String header(SdkHttpRequest request, String name) {
    return request.firstMatchingHeader(name).orElse(null);
  }
}
