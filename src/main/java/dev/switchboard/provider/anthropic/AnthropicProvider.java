package dev.switchboard.provider.anthropic;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.codec.anthropic.AnthropicCodec;
import dev.switchboard.codec.anthropic.AnthropicStreamDecoder;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.provider.HttpUpstream;
import dev.switchboard.provider.TranslateCall;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;

/**
 * An Anthropic Messages upstream (Anthropic's API, or any server speaking it). Its {@code base_url} is the
 * host without {@code /v1}, as the Anthropic SDKs use it. Every client — OpenAI's or Anthropic's — is served
 * through the canonical model, speaking API version 2023-06-01 upstream. A client's {@code anthropic-beta}
 * header is passed on as it came.
 */
public final class AnthropicProvider extends HttpUpstream {
  private static final String API_VERSION = AnthropicCodec.VERSION_2023_06_01;
  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("x-api-key");
  private static final CharSequence ANTHROPIC_VERSION = HttpHeaders.createOptimized("anthropic-version");
  private static final CharSequence VERSION_VALUE = HttpHeaders.createOptimized(API_VERSION);
  /** Anthropic clients opt into beta features with it; only an Anthropic upstream understands it. */
  public static final String ANTHROPIC_BETA = "anthropic-beta";

  private final CharSequence apiKey;

  public AnthropicProvider(Vertx vertx, SwitchboardConfig.Provider settings) {
    super(vertx, settings);
    this.apiKey = settings.apiKey() == null ? null : HttpHeaders.createOptimized(settings.apiKey());
  }

  @Override
  public String describe() {
    return name() + " (Anthropic Messages, " + settings().baseUrl() + ")";
  }

  @Override
  protected void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    req.putHeader(ANTHROPIC_VERSION, VERSION_VALUE);
    if (apiKey != null) req.putHeader(X_API_KEY, apiKey);
    String beta = exchange.request().getHeader(ANTHROPIC_BETA);
    if (beta != null) req.putHeader(ANTHROPIC_BETA, beta);
  }

  @Override
  public void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    AnthropicCodec.Encoded encoded = AnthropicCodec.encodeRequest(request, upstreamModel, API_VERSION,
        AnthropicCodec.DEFAULT_MAX_TOKENS);
    dropped.addAll(encoded.dropped());
    translate(exchange, "/v1/messages", encoded.body(), request.stream(), sink, DECODING, dropped);
  }

  private static final TranslateCall.Decoding DECODING = new TranslateCall.Decoding(AnthropicCodec::decodeResponse,
      () -> {
        AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();
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

  /** Lists the upstream's models ({@code GET <base_url>/v1/models}), for discovery. */
  public Future<List<String>> listModels(long timeoutMillis) {
    RequestOptions ro = requestOptions(HttpMethod.GET, "/v1/models?limit=1000").putHeader(ANTHROPIC_VERSION,
        VERSION_VALUE);
    if (apiKey != null) ro.putHeader(X_API_KEY, apiKey);
    return fetchModelIds(ro, timeoutMillis);
  }
}
