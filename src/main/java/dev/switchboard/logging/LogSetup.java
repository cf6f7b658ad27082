package dev.switchboard.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.switchboard.config.SwitchboardConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging:} once the config is read: replaces the root logger's appenders (logback.xml's text lines,
 * used until then for what happens before the config is known) with text or JSON lines on stderr behind an
 * {@link AsyncAppender} that never blocks: an event loop that logs only queues the event, and when the queue is full
 * events below WARN are discarded rather than the loop waiting for stderr.
 */
public final class LogSetup {
  static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n%ex";

  private LogSetup() {}

  /** Reconfigures the root logger; call once, from the main thread, before the gateway starts. */
  public static void apply(SwitchboardConfig.Logging settings) {
    apply(settings, null);
  }

  /** @param out where lines go instead of stderr (tests), or null for stderr */
  static void apply(SwitchboardConfig.Logging settings, java.io.OutputStream out) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another SLF4J backend
    Encoder<ILoggingEvent> encoder;
    if (settings.json()) {
      encoder = new JsonLineEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> console;
    if (out == null) {
      ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
      stderr.setTarget("System.err");
      console = stderr;
    } else {
      console = new OutputStreamAppender<>();
      console.setOutputStream(out);
    }
    console.setContext(context);
    console.setName("STDERR");
    console.setEncoder(encoder);
    console.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC");
    async.setQueueSize(8192);
    async.setNeverBlock(true);
    async.setIncludeCallerData(false);
    async.addAppender(console);
    async.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(async);
  }

  /** Writes what the asynchronous appender still holds; call at shutdown. */
  public static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      var async = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
      if (async != null) async.stop(); // waits up to a second for the queue to drain
    }
  }
}
