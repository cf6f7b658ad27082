package dev.switchboard.provider.openai;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.provider.UpstreamCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * The same-protocol fast path: an OpenAI client's request to an OpenAI-compatible upstream, whose answer is
 * relayed as bytes. They flow unbuffered with back-pressure: when the client's write queue is full the
 * upstream read is paused until it drains, so memory stays bounded by one chunk.
 *
 * <p>Streams pass through an {@link OpenAiStreamFilter}, which reads the usage chunk; of a plain answer the
 * last few KiB are kept to read its usage at the end. A stream that ends without {@code data: [DONE]} gets
 * an in-stream error, never a clean end.
 */
final class RelayCall extends UpstreamCall {
  /** How much of the end of a plain answer is kept to read its usage (which follows the choices or the data). */
  private static final int USAGE_TAIL = 4 * 1024;

  private final boolean clientWantsUsage;
  private OpenAiStreamFilter filter;
  /** The last bytes of a plain answer, where its usage is; null for streams. */
  private Buffer plainTail;
  /** The piece of a plain answer received but not yet written (see {@link #onPlainChunk}). */
  private Buffer pending;

  RelayCall(OpenAiCompatibleProvider provider, Exchange exchange, RequestOptions options, Buffer body,
      boolean clientWantsUsage) {
    super(provider, exchange, options, body);
    this.clientWantsUsage = clientWantsUsage;
  }

  @Override
  protected void onAnswer(HttpClientResponse resp) {
    HttpServerResponse out = exchange.response();
    out.setStatusCode(resp.statusCode());
    String contentType = resp.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) out.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    putServedByHeaders(out, resp);
    boolean sse = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (sse) {
      out.setChunked(true);
      out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      filter = new OpenAiStreamFilter(clientWantsUsage);
    } else if (length != null) {
      out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      out.setChunked(true);
    }
    out.drainHandler(v -> {
      if (!finished) resp.resume();
    });
    resp.handler(sse ? this::onStreamChunk : this::onPlainChunk);
    resp.exceptionHandler(this::onBroken);
    resp.endHandler(v -> onEnd());
  }

  /**
   * A plain answer is relayed one piece behind: each piece is written when the next arrives, and the last
   * goes out with the end. A one-piece answer (the usual case) then leaves as head, body and end in a single
   * write and system call instead of three; nothing waits for more than one upstream read.
   */
  private void onPlainChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    plainTail = OpenAiUsage.keepTail(plainTail, chunk, USAGE_TAIL);
    if (pending != null) write(pending);
    pending = chunk;
  }

  private void onStreamChunk(Buffer chunk) {
    if (finished) return;
    firstByte();
    Buffer out = filter.next(chunk);
    if (out != null) {
      write(out);
      exchange.outputSent(filter.takeChunks(), 0);
    }
  }

  private void write(Buffer data) {
    HttpServerResponse out = exchange.response();
    if (!out.headWritten()) exchange.firstByteSent();
    exchange.answerSent(data);
    out.write(data);
    if (out.writeQueueFull()) upstreamResponse.pause();
  }

  private void onEnd() {
    if (finished) return;
    if (filter != null && !filter.sawDone() && !filter.sawError()) {
      failTruncated("the stream ended without [DONE]");
      return;
    }
    done();
    if (!exchange.response().headWritten()) exchange.firstByteSent();
    exchange.complete(filter == null ? pending : filter.rest(),
        filter == null ? OpenAiUsage.fromTail(plainTail) : filter.usage());
  }
}
