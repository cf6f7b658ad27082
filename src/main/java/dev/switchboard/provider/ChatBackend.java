package dev.switchboard.provider;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;

/** A provider that serves canonical requests, for clients of another protocol than its own. Thread-safe. */
public interface ChatBackend extends Provider {

  /**
   * Sends {@code request} upstream as {@code upstreamModel} and hands the answer to {@code sink}. Failures
   * before the answer starts end the exchange in the client's error format; the exchange always ends.
   * Must be called on the exchange's event loop.
   *
   * @param dropped the features of the request the upstream's protocol cannot carry are added here, for
   *     the client to be told
   */
  void chat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      java.util.List<String> dropped);

  /**
   * As {@link #chat}, for a request whose last message is the assistant's unfinished answer (a prefill): the
   * upstream must continue that message rather than answer anew. Anthropic Messages, Bedrock Converse and Gemini
   * do so for a final assistant (model) turn as it is; others must say so in their request.
   */
  default void continueChat(Exchange exchange, ChatRequest request, String upstreamModel, AnswerSink sink,
      java.util.List<String> dropped) {
    chat(exchange, request, upstreamModel, sink, dropped);
  }
}
