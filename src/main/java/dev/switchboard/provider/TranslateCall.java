package dev.switchboard.provider;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An upstream exchange for a client of another protocol: the OpenAI answer is decoded into canonical form
 * and handed to the client's {@link AnswerSink}, which encodes it. Streams are decoded piece by piece as they
 * arrive, with back-pressure through the sink; a plain answer is read whole (bounded), then decoded.
 */
public final class TranslateCall extends UpstreamCall {
  /** The largest plain answer read for translation; larger ones fail rather than exhaust memory. */
  private static final int PLAIN_LIMIT = 64 * 1024 * 1024;

  private final boolean stream;
  private final AnswerSink sink;
  private final Decoding decoding;
  private StreamDecoding decoder;
  private Buffer plain;

  /**
   * Decodes the upstream's answers into canonical form: a whole answer, or a stream through a fresh
   * {@link StreamDecoding} per stream.
   */
  public record Decoding(Function<Buffer, ChatResponse> whole, Supplier<StreamDecoding> streams) {}

  /** Decodes one stream, fed in pieces. Not thread-safe: one per stream. */
  public interface StreamDecoding {
    /** The events completed by the next piece. */
    List<StreamEvent> next(Buffer piece);

    /** The upstream's stream ended: what completes it, or a {@link StreamEvent.Failure} if it was cut. */
    List<StreamEvent> end();
  }

  TranslateCall(HttpUpstream provider, Exchange exchange, RequestOptions options, Buffer body,
      boolean stream, AnswerSink sink, Decoding decoding) {
    super(provider, exchange, options, body);
    this.stream = stream;
    this.sink = sink;
    this.decoding = decoding;
  }

  @Override
  protected void onAnswer(HttpClientResponse resp) {
    putServedByHeaders(exchange.response(), resp);
    resp.exceptionHandler(this::onBroken);
    if (stream) {
      decoder = decoding.streams().get();
      sink.onDrain(() -> {
        if (!finished) resp.resume();
      });
      resp.handler(this::onStreamChunk);
      resp.endHandler(v -> onStreamEnd());
    } else {
      plain = Buffer.buffer();
      resp.handler(this::onPlainChunk);
      resp.endHandler(v -> onPlainEnd());
    }
  }

  private void onStreamChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    for (StreamEvent e : decoder.next(chunk)) deliver(e);
  }

  private void deliver(StreamEvent event) {
    if (finished) return;
    if (!exchange.response().headWritten()) exchange.firstByteSent();
    if (event instanceof StreamEvent.MessageStop || event instanceof StreamEvent.Failure) done();
    if (!sink.event(event) && !finished) upstreamResponse.pause();
  }

  private void onStreamEnd() {
    if (finished) return;
    for (StreamEvent e : decoder.end()) deliver(e);
    if (!finished) fail(UpstreamErrors.broken(provider.name(), "the stream ended before its end event"), "truncated");
  }

  private void onPlainChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    if (plain.length() + chunk.length() > PLAIN_LIMIT) {
      fail(GatewayError.of(502, Kind.UPSTREAM, "Provider '" + provider.name() + "' answered with more than "
          + PLAIN_LIMIT + " bytes, too large to translate; ask for a stream instead.", "upstream_too_large"),
          "upstream_error");
      return;
    }
    plain.appendBuffer(chunk);
  }

  private void onPlainEnd() {
    if (finished) return;
    ChatResponse response;
    try {
      response = decoding.whole().apply(plain);
    } catch (RuntimeException e) {
      fail(GatewayError.of(502, Kind.UPSTREAM, "Provider '" + provider.name() + "' sent an answer that could not "
          + "be read: " + e.getMessage(), "upstream_invalid_answer"), "upstream_error");
      return;
    }
    done();
    exchange.firstByteSent();
    sink.answer(response);
  }
}
