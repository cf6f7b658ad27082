/**
 * The OpenAI Chat Completions codec: translation between OpenAI's wire format and the canonical model
 * ({@link dev.switchboard.canonical}), in both directions and for both sides of the gateway.
 *
 * <ul>
 *   <li>Client side (an OpenAI SDK talks to Switchboard): {@link OpenAiChatCodec#decodeRequest} reads the
 *       client's request, {@link OpenAiChatCodec#encodeResponse} and {@link OpenAiStreamEncoder} write the
 *       answer back.
 *   <li>Upstream side (Switchboard talks to an OpenAI-compatible provider): {@link OpenAiChatCodec#encodeRequest}
 *       writes the request, {@link OpenAiChatCodec#decodeResponse} and {@link OpenAiStreamDecoder} read the answer.
 * </ul>
 *
 * <p>Everything here is a pure function of its input (plus a clock for {@code created}): no I/O, no Vert.x beyond
 * {@link io.vertx.core.buffer.Buffer} for bytes. What a translation cannot carry is never lost silently: decoders and
 * encoders return the names of the features they dropped, for the caller to log or report. Requests a client got
 * wrong are rejected with {@link dev.switchboard.exchange.RejectedException} (HTTP 400, the field named as OpenAI
 * names it, e.g. {@code messages[2].tool_calls[0].function.arguments}).
 *
 * <p>Only {@link OpenAiChatCodec}, {@link OpenAiStreamDecoder} and {@link OpenAiStreamEncoder} are public; the
 * rest are package-private helpers.
 */
package dev.switchboard.codec.openai;
