package dev.switchboard.canonical;

import java.util.Objects;

/**
 * A tool the model may call.
 *
 * @param description null when none was given
 * @param inputSchema the JSON Schema of the arguments, as JSON text, exactly as the client sent it
 * @param strict OpenAI's strict schema adherence; other providers ignore it
 */
public record ToolDefinition(String name, String description, String inputSchema, boolean strict,
    CacheMarker cache) {
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(inputSchema, "inputSchema");
  }
}
