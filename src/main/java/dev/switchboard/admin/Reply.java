package dev.switchboard.admin;

import dev.switchboard.util.Json;
import java.nio.charset.StandardCharsets;

/** A successful admin answer: status, media type and body, built on a worker and sent on the event loop. */
record Reply(int status, String contentType, byte[] body, String disposition) {
  static Reply json(int status, Object value) {
    return new Reply(status, "application/json", Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value),
        null);
  }

  static Reply csv(String text, String filename) {
    return new Reply(200, "text/csv; charset=utf-8", text.getBytes(StandardCharsets.UTF_8),
        "attachment; filename=\"" + filename + "\"");
  }
}
