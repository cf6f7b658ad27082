package dev.switchboard.frontdoor;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes a translated answer to the client in its protocol: a whole answer as JSON, a stream as the
 * protocol's events, with back-pressure. The protocol is given as two encoders. One per exchange, on its
 * event loop.
 */
public final class EncodingAnswerSink implements AnswerSink {

  /** Encodes one stream's events, in order; one per stream. */
  @FunctionalInterface
  public interface StreamEncoding {
    Buffer encode(StreamEvent event);
  }

  private final Exchange exchange;
  private final Function<ChatResponse, Buffer> whole;
  private final Supplier<StreamEncoding> streams;
  private final CharSequence streamContentType;
  private StreamEncoding encoder;
  private Usage usage;

  /** For protocols that stream server-sent events. */
  public EncodingAnswerSink(Exchange exchange, Function<ChatResponse, Buffer> whole, Supplier<StreamEncoding> streams) {
    this(exchange, whole, streams, MediaTypes.EVENT_STREAM);
  }

  /** @param streamContentType the content type of a stream in the client's protocol */
  public EncodingAnswerSink(Exchange exchange, Function<ChatResponse, Buffer> whole, Supplier<StreamEncoding> streams,
      CharSequence streamContentType) {
    this.exchange = exchange;
    this.whole = whole;
    this.streams = streams;
    this.streamContentType = streamContentType;
  }

  @Override
  public void answer(ChatResponse response) {
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(whole.apply(response), response.usage());
  }

  @Override
  public boolean event(StreamEvent event) {
    if (exchange.ended()) return true;
    if (event instanceof StreamEvent.Failure failure) {
      exchange.fail(failure.error(), "upstream_error"); // the client's in-stream error, in its protocol
      return true;
    }
    HttpServerResponse out = exchange.response();
    if (encoder == null) {
      encoder = streams.get();
      out.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, streamContentType)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
    countForMetering(event);
    if (exchange.capturing() && event instanceof StreamEvent.TextDelta t) exchange.answerText(t.text());
    Buffer bytes = encoder.encode(event);
    if (event instanceof StreamEvent.MessageStop) {
      exchange.complete(bytes, usage);
      return true;
    }
    if (bytes.length() > 0) out.write(bytes);
    return !out.writeQueueFull();
  }

  /**
   * Tells the exchange what content and usage went by, so that a stream that ends without its final usage can be
   * metered on an estimate. Lengths only: the text is not kept.
   */
  private void countForMetering(StreamEvent event) {
    switch (event) {
      case StreamEvent.TextDelta t -> exchange.outputSent(1, t.text().length());
      case StreamEvent.ToolArgumentsDelta a -> exchange.outputSent(1, a.json() == null ? 0 : a.json().length());
      case StreamEvent.ReasoningDelta r -> exchange.outputSent(1, r.text() == null ? 0 : r.text().length());
      case StreamEvent.MessageStart s when s.usage() != null -> exchange.usageSoFar(s.usage());
      case StreamEvent.MessageDelta d when d.usage() != null -> {
        usage = d.usage();
        exchange.usageSoFar(usage);
      }
      default -> { }
    }
  }

  @Override
  public void onDrain(Runnable resume) {
    exchange.response().drainHandler(v -> resume.run());
  }
}
