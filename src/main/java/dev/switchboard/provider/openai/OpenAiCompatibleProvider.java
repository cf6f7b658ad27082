package dev.switchboard.provider.openai;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.codec.openai.OpenAiChatCodec;
import dev.switchboard.codec.openai.OpenAiStreamDecoder;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.provider.HttpUpstream;
import dev.switchboard.provider.TranslateCall;
import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Any OpenAI-compatible upstream: OpenAI itself, Azure OpenAI's v1 endpoint, vLLM, Ollama, llama.cpp's
 * server and most hosts of open models. Requests from OpenAI clients take the same-protocol fast path:
 * the body is relayed with only the model name and credentials rewritten (see {@link RelayCall}). Clients
 * of other protocols are served by translation through the canonical model ({@link #chat}).
 */
public final class OpenAiCompatibleProvider extends HttpUpstream {
  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.create();

  private final CharSequence authorization;

  public OpenAiCompatibleProvider(Vertx vertx, SwitchboardConfig.Provider settings) {
    super(vertx, settings);
    this.authorization = settings.apiKey() == null ? null : HttpHeaders.createOptimized("Bearer " + settings.apiKey());
  }

  @Override
  public String describe() {
    return name() + " (OpenAI-compatible, " + settings().baseUrl() + ")";
  }

  /**
   * Relays one request to {@code <base_url><path>} and its answer back to the exchange's client. The body
   * must already carry the upstream model name. Ends the exchange, successfully or not.
   */
  public void relay(Exchange exchange, String path, Buffer body, boolean clientWantsUsage) {
    new RelayCall(this, exchange, requestOptions(HttpMethod.POST, path), body, clientWantsUsage).start();
  }

  @Override
  protected void putHeaders(HttpClientRequest req, Exchange exchange, Buffer body) {
    if (authorization != null) req.putHeader(HttpHeaders.AUTHORIZATION, authorization);
  }

  /**
   * Serves a client of another protocol: the canonical request is encoded as an OpenAI chat request, and
   * the answer decoded back for the client's {@link AnswerSink}.
   */
  @Override
  public void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(request, upstreamModel);
    dropped.addAll(encoded.dropped());
    translate(exchange, "/chat/completions", encoded.body(), request.stream(), sink, DECODING, dropped);
  }

  /**
   * The OpenAI API has no way to continue an assistant message; vLLM (and servers copying it) continue the final
   * one when told {@code continue_final_message} without a new generation prompt, so that is what is sent.
   */
  @Override
  public void continueChat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      List<String> dropped) {
    OpenAiChatCodec.Encoded encoded = CODEC.encodeRequest(request, upstreamModel);
    dropped.addAll(encoded.dropped());
    ObjectNode body = (ObjectNode) Json.MAPPER.readTree(encoded.body().getBytes());
    body.put("continue_final_message", true).put("add_generation_prompt", false);
    translate(exchange, "/chat/completions", Buffer.buffer(Json.MAPPER.writeValueAsBytes(body)), request.stream(),
        sink, DECODING, dropped);
  }

  private static final TranslateCall.Decoding DECODING = new TranslateCall.Decoding(CODEC::decodeResponse, () -> {
    OpenAiStreamDecoder decoder = CODEC.streamDecoder(0);
    return new TranslateCall.StreamDecoding() {
      @Override
      public List<StreamEvent> next(Buffer piece) {
        return decoder.decode(piece);
      }

      @Override
      public List<StreamEvent> end() {
        return decoder.end();
      }
    };
  });

  /** Lists the upstream's models ({@code GET <base_url>/models}), for discovery. */
  public Future<List<String>> listModels(long timeoutMillis) {
    RequestOptions ro = requestOptions(HttpMethod.GET, "/models");
    if (authorization != null) ro.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    return fetchModelIds(ro, timeoutMillis);
  }
}
