package dev.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.util.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** What {@code logging.format} does to the log lines; logback.xml's setup is restored afterwards. */
class LogSetupTest {
  private static String logThrough(boolean json) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      LogSetup.apply(new SwitchboardConfig.Logging(json, false, List.of()), err);
      LoggerFactory.getLogger("switchboard.test").atWarn().addKeyValue("request_id", "req-42")
          .log("upstream said {}", "no", new IllegalStateException("boom"));
      LogSetup.flush(); // stopping the asynchronous appender writes what it holds
      return err.toString(StandardCharsets.UTF_8);
    } finally {
      context.reset();
      new ContextInitializer(context).autoConfig();
    }
  }

  @Test
  void jsonFormatWritesOneObjectPerLineWithTheRequestId() throws Exception {
    String out = logThrough(true);
    String line = out.lines().filter(l -> l.contains("req-42")).findFirst()
        .orElseThrow(() -> new AssertionError("no line with the request id in: " + out));
    JsonNode j = Json.MAPPER.readTree(line);
    assertThat(j.path("level").asString()).isEqualTo("WARN");
    assertThat(j.path("logger").asString()).isEqualTo("switchboard.test");
    assertThat(j.path("message").asString()).isEqualTo("upstream said no");
    assertThat(j.path("request_id").asString()).isEqualTo("req-42");
    assertThat(j.path("exception").asString()).contains("boom");
  }

  @Test
  void textFormatWritesReadableLines() throws Exception {
    String out = logThrough(false);
    assertThat(out).contains("WARN  switchboard.test - upstream said no").contains("IllegalStateException: boom")
        .doesNotStartWith("{");
  }
}
