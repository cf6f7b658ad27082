package dev.switchboard.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log line: {@code timestamp} (ISO-8601 UTC), {@code level}, {@code logger}, {@code message},
 * {@code thread}, then the event's MDC entries and key-value pairs as fields of their own ({@code request_id} where a
 * line concerns a request), and {@code exception} (the stack trace as text) when there is one. Written by hand rather
 * than with Logback's {@code JsonEncoder}, whose lines nest MDC and key-values and repeat the message unformatted:
 * a log collector wants flat fields. Thread-safe (stateless).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"timestamp\":\"").append(Instant.ofEpochMilli(e.getTimeStamp())).append('"');
    field(b, "level", e.getLevel().toString());
    field(b, "logger", e.getLoggerName());
    field(b, "message", e.getFormattedMessage());
    field(b, "thread", e.getThreadName());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) for (Map.Entry<String, String> m : mdc.entrySet()) field(b, m.getKey(), m.getValue());
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        if (kv.value == null) continue;
        if (kv.value instanceof Number || kv.value instanceof Boolean) {
          b.append(",\"");
          escape(b, kv.key);
          b.append("\":").append(kv.value);
        } else {
          field(b, kv.key, String.valueOf(kv.value));
        }
      }
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) field(b, "exception", ThrowableProxyUtil.asString(t));
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder b, String name, String value) {
    if (value == null) return;
    b.append(",\"");
    escape(b, name);
    b.append("\":\"");
    escape(b, value);
    b.append('"');
  }

  static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
  }
}
