package dev.switchboard.frontdoor.anthropic;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.codec.anthropic.AnthropicCodec;
import dev.switchboard.codec.anthropic.AnthropicStreamEncoder;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Encodes a translated answer as Anthropic Messages JSON or SSE for the client. One per exchange. */
final class AnthropicAnswerSink implements AnswerSink {
  private final Exchange exchange;
  private final String clientModel;
  private AnthropicStreamEncoder encoder;
  private Usage usage;

  AnthropicAnswerSink(Exchange exchange, String clientModel) {
    this.exchange = exchange;
    this.clientModel = clientModel;
  }

  @Override
  public void answer(ChatResponse response) {
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(AnthropicCodec.encodeResponse(response, clientModel), response.usage());
  }

  @Override
  public boolean event(StreamEvent event) {
    if (exchange.ended()) return true;
    if (event instanceof StreamEvent.Failure failure) {
      exchange.fail(failure.error(), "upstream_error");
      return true;
    }
    HttpServerResponse out = exchange.response();
    if (encoder == null) {
      encoder = new AnthropicStreamEncoder(clientModel);
      out.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.EVENT_STREAM)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
    if (event instanceof StreamEvent.MessageDelta delta && delta.usage() != null) usage = delta.usage();
    Buffer bytes = encoder.encode(event);
    if (event instanceof StreamEvent.MessageStop) {
      exchange.complete(bytes, usage);
      return true;
    }
    if (bytes.length() > 0) out.write(bytes);
    return !out.writeQueueFull();
  }

  @Override
  public void onDrain(Runnable resume) {
    exchange.response().drainHandler(v -> resume.run());
  }
}
