package dev.switchboard.exchange;

import io.vertx.core.buffer.Buffer;

/**
 * What one exchange of a key with content logging on carried, as captured: at most 64 KiB of each side, not yet
 * redacted. Only the request log's writer reads it, and it must never reach a log line.
 *
 * @param request the request body as the client sent it, or null
 * @param answerBytes the answer as sent to the client when it was relayed as bytes (a plain body, or an OpenAI
 *     event stream), or null
 * @param answerText the answer's text when the gateway translated a stream (the text deltas joined), or null
 * @param answerTruncated true when the answer was longer than what was kept
 */
public record CapturedContent(Buffer request, boolean requestTruncated, Buffer answerBytes, String answerText,
    boolean answerTruncated, boolean stream) {}
