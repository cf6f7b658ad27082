package dev.switchboard.frontdoor.openai;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.codec.openai.OpenAiChatCodec;
import dev.switchboard.codec.openai.OpenAiStreamEncoder;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Encodes a translated answer as an OpenAI chat completion or chunk stream for the client. One per exchange. */
final class OpenAiAnswerSink implements AnswerSink {
  private final Exchange exchange;
  private final String clientModel;
  private final boolean includeUsage;
  private final OpenAiChatCodec codec;
  private OpenAiStreamEncoder encoder;
  private Usage usage;

  OpenAiAnswerSink(Exchange exchange, String clientModel, boolean includeUsage, OpenAiChatCodec codec) {
    this.exchange = exchange;
    this.clientModel = clientModel;
    this.includeUsage = includeUsage;
    this.codec = codec;
  }

  @Override
  public void answer(ChatResponse response) {
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(codec.encodeResponse(response, clientModel), response.usage());
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
      encoder = codec.streamEncoder(clientModel, includeUsage);
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
