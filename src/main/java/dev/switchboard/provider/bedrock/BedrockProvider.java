package dev.switchboard.provider.bedrock;

import dev.switchboard.aws.sigv4.AwsCredentials;
import dev.switchboard.aws.sigv4.AwsCredentialsProvider;
import dev.switchboard.aws.sigv4.SigV4Signer;
import dev.switchboard.aws.sigv4.SigV4Verifier;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.codec.bedrock.BedrockConverseCodec;
import dev.switchboard.codec.bedrock.BedrockStreamDecoder;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.provider.HttpUpstream;
import dev.switchboard.provider.TranslateCall;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Bedrock Runtime upstream, spoken to through Converse and ConverseStream. Requests are signed with SigV4
 * (service {@code bedrock}) using credentials from the config ({@code aws_access_key_id}, …), else the environment or
 * the shared credentials file, or carry
 * a Bedrock API key ({@code api_key}) as a bearer token. Every client is served through the canonical model.
 */
public final class BedrockProvider extends HttpUpstream {
  private static final Pattern REGION_HOST = Pattern.compile("bedrock-runtime(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com");

  private final String region;
  private final String authority;
  private final SigV4Signer signer;
  private final AwsCredentialsProvider credentials;
  private final String bearer;

  public BedrockProvider(Vertx vertx, SwitchboardConfig.Provider settings, Function<String, String> env) {
    super(vertx, settings);
    this.region = region(settings, env);
    URI base = settings.baseUrl();
    boolean defaultPort = base.getPort() < 0 || base.getPort() == ("https".equals(base.getScheme()) ? 443 : 80);
    this.authority = defaultPort ? base.getHost() : base.getHost() + ":" + base.getPort();
    this.signer = SigV4Signer.create(region, SigV4Verifier.BEDROCK, InstantSource.system());
    this.bearer = settings.apiKey() == null ? null : "Bearer " + settings.apiKey();
    this.credentials = AwsCredentialsProvider.from(env);
    this.configured = settings.awsCredentials();
    if (configured == null && bearer == null) refreshCredentials(); // at start, off the event loops; failures surface per request
  }

  /** How long read credentials are used before they are read again (rotated keys apply within it). */
  private static final long CREDENTIALS_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  /** Keys from the config file: they cannot change without a restart, so they are never read again. */
  private final AwsCredentials configured;
  private volatile AwsCredentials cached;
  private volatile RuntimeException credentialsProblem;
  private volatile long credentialsReadAt;
  private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

  private void refreshCredentials() {
    try {
      cached = credentials.resolve();
      credentialsProblem = null;
    } catch (RuntimeException e) {
      credentialsProblem = e;
    } finally {
      credentialsReadAt = System.nanoTime();
    }
  }

  /**
   * The credentials to sign with. Reading them may touch the credentials file, which must not happen on an
   * event loop: a stale value is used while a worker thread reads them again (every
   * {@link #CREDENTIALS_TTL_NANOS}), so rotated keys apply within a minute without a restart.
   */
  private AwsCredentials credentials() {
    if (configured != null) return configured;
    if (System.nanoTime() - credentialsReadAt > CREDENTIALS_TTL_NANOS && refreshing.compareAndSet(false, true)) {
      vertx().executeBlocking(() -> {
        refreshCredentials();
        return null;
      }, false).onComplete(ar -> refreshing.set(false));
    }
    AwsCredentials c = cached;
    if (c == null) {
      RuntimeException problem = credentialsProblem;
      throw problem != null ? problem : new IllegalStateException("AWS credentials are not read yet");
    }
    return c;
  }

  private static String region(SwitchboardConfig.Provider settings, Function<String, String> env) {
    if (settings.region() != null) return settings.region();
    Matcher m = REGION_HOST.matcher(settings.baseUrl().getHost());
    if (m.matches()) return m.group(1);
    String fromEnv = env.apply("AWS_REGION");
    return fromEnv == null || fromEnv.isBlank() ? "us-east-1" : fromEnv.trim();
  }

  @Override
  public String describe() {
    return name() + " (Bedrock Runtime, " + region + ", " + settings().baseUrl() + ")";
  }

  @Override
  protected void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    if (bearer != null) {
      req.putHeader(HttpHeaders.AUTHORIZATION, bearer);
      return;
    }
    AwsCredentials creds = credentials();
    SigV4Signer.Request toSign = SigV4Signer.Request.builder("POST", authority, req.getURI())
        .header("content-type", "application/json")
        .body(body.getBytes())
        .build();
    signer.sign(toSign, creds).headers().forEach(req::putHeader);
  }

  @Override
  public void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    BedrockConverseCodec.Encoded encoded = BedrockConverseCodec.encodeRequest(request, upstreamModel);
    dropped.addAll(encoded.dropped());
    String path = "/model/" + SigV4Signer.encodePathSegment(upstreamModel)
        + (request.stream() ? "/converse-stream" : "/converse");
    translate(exchange, path, encoded.body(), request.stream(), sink, DECODING, dropped);
  }

  /**
   * Bedrock's errors carry their code in {@code x-amzn-ErrorType} and their text in {@code {"message"}}
   * (PROTOCOLS.md 3.6), not in the {@code {"error":{…}}} the generic reader looks for: read them with the Bedrock
   * codec, so the client sees the upstream's words and code (say {@code ThrottlingException}) instead of raw JSON.
   * Bedrock refuses bad credentials with 403 ({@code UnrecognizedClientException}, {@code InvalidSignatureException},
   * …): that is the operator's to fix, so it becomes a 502, never an authentication or permission error that would
   * make the client blame its own key.
   */
  @Override
  protected GatewayError upstreamError(HttpClientResponse resp, Buffer body) {
    int status = resp.statusCode();
    GatewayError e = BedrockConverseCodec.decodeError(status, resp.getHeader("x-amzn-ErrorType"), body);
    String message = "Provider '" + name() + "' answered HTTP " + status
        + (e.code() == null ? "" : " " + e.code()) + ": " + e.message();
    if (e.kind() == GatewayError.Kind.AUTHENTICATION || status == 401) {
      return GatewayError.of(502, GatewayError.Kind.UPSTREAM, message + " — check the AWS credentials"
          + (bearer != null ? " (api_key)" : "") + " of provider '" + name() + "' in the Switchboard config",
          "upstream_auth_failed");
    }
    return new GatewayError(status >= 400 && status <= 599 ? status : 502, e.kind(), message, null, e.code(),
        retryAfterSeconds(resp));
  }

  private static final TranslateCall.Decoding DECODING = new TranslateCall.Decoding(
      BedrockConverseCodec::decodeResponse, () -> {
        BedrockStreamDecoder decoder = new BedrockStreamDecoder();
        return new TranslateCall.StreamDecoding() {
          @Override
          public List<StreamEvent> next(Buffer piece) {
            return decoder.next(piece);
          }

          @Override
          public List<StreamEvent> end() {
            return decoder.end();
          }
        };
      });
}
