package dev.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.switchboard.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;

class JsonLineEncoderTest {
  private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  private final JsonLineEncoder encoder = new JsonLineEncoder();

  private JsonNode encode(LoggingEvent e) {
    String line = new String(encoder.encode(e), StandardCharsets.UTF_8);
    assertThat(line).endsWith("}\n").doesNotContain("\n{"); // exactly one line
    return Json.MAPPER.readTree(line);
  }

  @Test
  void oneFlatObjectWithTheRequestIdAndTheException() {
    LoggingEvent e = new LoggingEvent("x", context.getLogger("switchboard.requests"), Level.WARN,
        "{} failed: \"quoted\"\nsecond line", new IllegalStateException("boom"), new Object[] {"req-1"});
    e.setKeyValuePairs(List.of(new KeyValuePair("request_id", "req-1"), new KeyValuePair("status", 502),
        new KeyValuePair("cost_usd", null)));
    JsonNode j = encode(e);
    assertThat(j.path("timestamp").asString()).endsWith("Z");
    assertThat(j.path("level").asString()).isEqualTo("WARN");
    assertThat(j.path("logger").asString()).isEqualTo("switchboard.requests");
    assertThat(j.path("message").asString()).isEqualTo("req-1 failed: \"quoted\"\nsecond line");
    assertThat(j.path("thread").asString()).isEqualTo(Thread.currentThread().getName());
    assertThat(j.path("request_id").asString()).isEqualTo("req-1");
    assertThat(j.path("status").asInt()).isEqualTo(502);
    assertThat(j.has("cost_usd")).isFalse();
    assertThat(j.path("exception").asString()).contains("IllegalStateException: boom");
  }

  @Test
  void mdcEntriesBecomeFields() {
    MDC.put("request_id", "req-2");
    try {
      LoggingEvent e = new LoggingEvent("x", context.getLogger("a"), Level.INFO, "hello\u0001", null, null);
      JsonNode j = encode(e);
      assertThat(j.path("request_id").asString()).isEqualTo("req-2");
      assertThat(j.path("message").asString()).isEqualTo("hello\u0001");
      assertThat(j.has("exception")).isFalse();
    } finally {
      MDC.remove("request_id");
    }
  }
}
