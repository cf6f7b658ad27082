package dev.switchboard.codec;

import dev.switchboard.stream.ByteArrays;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON every translating codec reads and writes. Numbers are read exactly (decimals as BigDecimal,
 * trailing zeros kept), so JSON the gateway does not interpret — tool inputs, arguments and schemas — goes
 * back out with the numbers it arrived with; only insignificant white space changes. Trailing data after a
 * value is an error, so text that parses can be written back raw. Thread-safe.
 */
public final class ExactJson {
  public static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  private ExactJson() {}

  /** Parses a whole body; {@code onError} turns Jackson's complaint into the exception to throw. */
  public static JsonNode parse(Buffer body, Function<JacksonException, RuntimeException> onError) {
    ByteArrays.View view = ByteArrays.view(body);
    try {
      return MAPPER.readTree(view.array(), view.offset(), body.length());
    } catch (JacksonException e) {
      throw onError.apply(e);
    }
  }

  /** A JSON value written by {@code writer} into a new buffer. */
  public static Buffer json(Consumer<JsonGenerator> writer) {
    return Buffer.buffer(bytes(writer));
  }

  /** A JSON value written by {@code writer}, as bytes. */
  public static byte[] bytes(Consumer<JsonGenerator> writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = MAPPER.createGenerator(out)) {
      writer.accept(g);
    }
    return out.toByteArray();
  }

  /** Compact JSON text of a node (numbers as received). */
  public static String text(JsonNode node) {
    return MAPPER.writeValueAsString(node);
  }

  /** Parses JSON text the gateway holds (tool arguments, schemas); null when it is not valid JSON. */
  public static JsonNode tryParse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * Writes JSON text the gateway holds as an object value (tool arguments, schemas): as is when it is a JSON
   * object, else {@code {}}. Returns false when the text had to be replaced (not blank, but not an object).
   */
  public static boolean writeObject(JsonGenerator g, String json) {
    if (!json.isBlank()) {
      JsonNode parsed = tryParse(json);
      if (parsed != null && parsed.isObject()) {
        g.writeRawValue(json.strip());
        return true;
      }
    }
    g.writeStartObject();
    g.writeEndObject();
    return json.isBlank();
  }
}
