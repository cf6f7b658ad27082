package dev.switchboard.canonical;

import java.util.Objects;

/** The shape the answer must take. Absent (null in a request) means free text. */
public sealed interface OutputFormat {
  /** Any JSON object. */
  record JsonObject() implements OutputFormat {}

  /**
   * JSON valid against {@code schema} (JSON text, as received).
   *
   * @param name the schema's name (OpenAI requires one), or null
   */
  record JsonSchema(String name, String schema, boolean strict) implements OutputFormat {
    public JsonSchema {
      Objects.requireNonNull(schema, "schema");
    }
  }
}
