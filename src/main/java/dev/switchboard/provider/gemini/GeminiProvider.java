package dev.switchboard.provider.gemini;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.codec.gemini.GeminiCodec;
import dev.switchboard.codec.gemini.GeminiStreamDecoder;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.provider.HttpUpstream;
import dev.switchboard.provider.TranslateCall;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Google Gemini API upstream ({@code generateContent}, and {@code streamGenerateContent?alt=sse} for
 * streams). Its {@code base_url} is the host without the API version, e.g.
 * {@code https://generativelanguage.googleapis.com}; the key travels as {@code x-goog-api-key}. Every client
 * is served through the canonical model.
 */
public final class GeminiProvider extends HttpUpstream {
  /** The public Gemini API's base URL, for documentation and examples. */
  public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
  private static final CharSequence X_GOOG_API_KEY = HttpHeaders.createOptimized("x-goog-api-key");

  private final CharSequence apiKey;

  public GeminiProvider(Vertx vertx, SwitchboardConfig.Provider settings) {
    super(vertx, settings);
    this.apiKey = settings.apiKey() == null ? null : HttpHeaders.createOptimized(settings.apiKey());
  }

  @Override
  public String describe() {
    return name() + " (Gemini generateContent, " + settings().baseUrl() + ")";
  }

  @Override
  protected void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    if (apiKey != null) req.putHeader(X_GOOG_API_KEY, apiKey);
  }

  @Override
  public void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    GeminiCodec.Encoded encoded = GeminiCodec.encodeRequest(request, upstreamModel);
    dropped.addAll(encoded.dropped());
    translate(exchange, path(upstreamModel, request.stream()), encoded.body(), request.stream(), sink, DECODING,
        dropped);
  }

  /** {@code /v1beta/models/{model}:generateContent}, or the streaming method with {@code alt=sse}. */
  static String path(String upstreamModel, boolean stream) {
    String model = upstreamModel.startsWith("models/") ? upstreamModel.substring(7) : upstreamModel;
    String encoded = URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20");
    return "/v1beta/models/" + encoded + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }

  private static final TranslateCall.Decoding DECODING = new TranslateCall.Decoding(GeminiCodec::decodeResponse,
      () -> {
        GeminiStreamDecoder decoder = new GeminiStreamDecoder();
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

  @Override
  protected GatewayError upstreamError(io.vertx.core.http.HttpClientResponse resp, Buffer body) {
    GatewayError e = GeminiCodec.decodeError(resp.statusCode(), body);
    long retryAfter = e.retryAfterSeconds();
    if (retryAfter < 0) retryAfter = retryAfterHeader(resp.getHeader("retry-after"));
    // Name the provider, as every upstream error does.
    return new GatewayError(e.status(), e.kind(), "Provider '" + name() + "': " + e.message(), e.param(), e.code(),
        retryAfter);
  }

  /** Gemini says when to retry in the body; a proxy in front of it may say so in the header instead. */
  private static long retryAfterHeader(String value) {
    if (value == null) return -1;
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return -1; // an HTTP date: not worth parsing for a hint
    }
  }
}
