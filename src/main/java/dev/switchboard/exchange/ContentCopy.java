package dev.switchboard.exchange;

import io.vertx.core.buffer.Buffer;

/**
 * A bounded copy of what one exchange answered, kept only for a key with content logging on (see
 * {@code VirtualKey.logContent}). Confined to the exchange's event loop. Raw: decoding, assembly and redaction happen
 * later on the request log's writer thread, off the request path.
 */
final class ContentCopy {
  /** The most kept of each side: a request body, and an answer's bytes or text. */
  static final int LIMIT = 64 * 1024;

  private Buffer bytes;
  private StringBuilder text;
  private boolean truncated;

  void bytes(Buffer data) {
    if (data == null || data.length() == 0) return;
    if (bytes == null) bytes = Buffer.buffer(Math.min(LIMIT, Math.max(256, data.length())));
    int room = LIMIT - bytes.length();
    if (room <= 0) {
      truncated = true;
      return;
    }
    if (data.length() > room) {
      truncated = true;
      bytes.appendBuffer(data, 0, room);
    } else {
      bytes.appendBuffer(data);
    }
  }

  void text(String delta) {
    if (delta == null || delta.isEmpty()) return;
    if (text == null) text = new StringBuilder();
    int room = LIMIT - text.length();
    if (delta.length() > room) {
      truncated = true;
      text.append(delta, 0, Math.max(0, room));
    } else {
      text.append(delta);
    }
  }

  CapturedContent done(Buffer requestBody, boolean stream) {
    Buffer request = null;
    boolean requestTruncated = false;
    if (requestBody != null) {
      requestTruncated = requestBody.length() > LIMIT;
      request = requestBody.getBuffer(0, Math.min(LIMIT, requestBody.length())); // a copy: the body is not ours
    }
    return new CapturedContent(request, requestTruncated, bytes, text == null ? null : text.toString(), truncated,
        stream);
  }
}
