package dev.switchboard.frontdoor.bedrock;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.codec.bedrock.BedrockInvokeCodec;
import dev.switchboard.codec.bedrock.BedrockInvokeStreamEncoder;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.frontdoor.EncodingAnswerSink;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.LongSupplier;

/**
 * Writes the answer to an InvokeModel call as Bedrock does for a Claude body: the Anthropic message with the token
 * counts and latency in {@code X-Amzn-Bedrock-*} headers (the SDK's {@code InvokeModelResponse} has no other
 * place for them), or the stream of {@link BedrockInvokeStreamEncoder}, whose last event carries the same metrics.
 */
final class InvokeAnswers {
  private static final CharSequence INPUT_TOKENS = "X-Amzn-Bedrock-Input-Token-Count";
  private static final CharSequence OUTPUT_TOKENS = "X-Amzn-Bedrock-Output-Token-Count";
  private static final CharSequence CACHE_READ_TOKENS = "X-Amzn-Bedrock-Cache-Read-Input-Token-Count";
  private static final CharSequence CACHE_WRITE_TOKENS = "X-Amzn-Bedrock-Cache-Write-Input-Token-Count";
  private static final CharSequence LATENCY = "X-Amzn-Bedrock-Invocation-Latency";
  /** The type of the chunks' decoded bytes (the SDK's {@code contentType()}); the body itself is event-stream. */
  private static final CharSequence STREAM_CONTENT_TYPE = "X-Amzn-Bedrock-Content-Type";

  private InvokeAnswers() {}

  /** The sink for one InvokeModel exchange; latencies count from now. */
  static AnswerSink sink(Exchange exchange, String modelId) {
    long start = System.nanoTime();
    LongSupplier elapsedMs = () -> (System.nanoTime() - start) / 1_000_000;
    return new EncodingAnswerSink(exchange, r -> whole(exchange.response(), r, modelId, elapsedMs.getAsLong()), () -> {
      // The head leaves with the stream's first frame, so this is the last moment to add to it.
      exchange.response().putHeader(STREAM_CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
      return new BedrockInvokeStreamEncoder(modelId, elapsedMs)::encode;
    }, BedrockFrontDoor.EVENT_STREAM);
  }

  private static Buffer whole(HttpServerResponse response, ChatResponse r, String modelId, long latencyMs) {
    response.putHeader(INPUT_TOKENS, Long.toString(BedrockInvokeCodec.inputTokenCount(r.usage())))
        .putHeader(OUTPUT_TOKENS, Long.toString(r.usage() == null ? 0 : r.usage().outputTokens()))
        .putHeader(LATENCY, Long.toString(latencyMs));
    if (r.usage() != null && r.usage().cacheReadTokens() > 0) {
      response.putHeader(CACHE_READ_TOKENS, Long.toString(r.usage().cacheReadTokens()));
    }
    if (r.usage() != null && r.usage().cacheWriteTokens() > 0) {
      response.putHeader(CACHE_WRITE_TOKENS, Long.toString(r.usage().cacheWriteTokens()));
    }
    return BedrockInvokeCodec.encodeResponse(r, modelId);
  }
}
