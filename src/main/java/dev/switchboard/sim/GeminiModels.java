package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import tools.jackson.core.JsonGenerator;

/**
 * {@code GET /v1beta/models[/{model}]} in Gemini's shape: every served model as a {@code Model} resource
 * ({@code name: models/<id>}, {@code supportedGenerationMethods}, token limits, sampling defaults), listed in
 * configuration order and paged with {@code pageSize} (default {@value #DEFAULT_PAGE}, at most {@value #MAX_PAGE})
 * and the opaque {@code pageToken} a previous page returned as {@code nextPageToken}.
 */
final class GeminiModels {
  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 1000;

  private GeminiModels() {}

  /** One page of the listing; throws an {@link ApiError} for a bad page size or token. */
  static Buffer list(List<String> all, String pageSizeParam, String pageToken) {
    int size = DEFAULT_PAGE;
    if (pageSizeParam != null) {
      try {
        size = Integer.parseInt(pageSizeParam);
      } catch (NumberFormatException e) {
        throw GeminiErrors.invalid("Invalid value at 'page_size' (TYPE_INT32), \"" + pageSizeParam + "\"");
      }
      if (size < 0) throw GeminiErrors.invalid("* ListModelsRequest.page_size: page_size must not be negative\n");
      if (size == 0) size = DEFAULT_PAGE;
      size = Math.min(size, MAX_PAGE);
    }
    int from = pageToken == null || pageToken.isEmpty() ? 0 : offset(pageToken, all.size());
    int to = Math.min(all.size(), from + size);
    Buffer out = Buffer.buffer(64 + 400 * (to - from));
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("models");
      for (String id : all.subList(from, to)) model(g, id);
      g.writeEndArray();
      if (to < all.size()) g.writeStringProperty("nextPageToken", token(to));
      g.writeEndObject();
    }
    return out;
  }

  /** One model, or null if it is not served. */
  static Buffer get(List<String> all, String id) {
    if (!all.contains(id)) return null;
    Buffer out = Buffer.buffer(400);
    try (JsonGenerator g = Wire.generator(out)) {
      model(g, id);
    }
    return out;
  }

  private static void model(JsonGenerator g, String id) {
    g.writeStartObject();
    g.writeStringProperty("name", "models/" + id);
    g.writeStringProperty("baseModelId", id);
    g.writeStringProperty("version", "001");
    g.writeStringProperty("displayName", AnthropicRoutes.displayName(id));
    g.writeStringProperty("description", "A simulated model: deterministic answers from the Switchboard simulator.");
    g.writeNumberProperty("inputTokenLimit", 1_048_576);
    g.writeNumberProperty("outputTokenLimit", 65_536);
    g.writeArrayPropertyStart("supportedGenerationMethods");
    g.writeString("generateContent");
    g.writeString("countTokens");
    g.writeEndArray();
    g.writeNumberProperty("temperature", 1.0);
    g.writeNumberProperty("maxTemperature", 2.0);
    g.writeNumberProperty("topP", 0.95);
    g.writeNumberProperty("topK", 64);
    g.writeBooleanProperty("thinking", true);
    g.writeEndObject();
  }

  private static String token(int offset) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("sim-page:" + offset)
        .getBytes(StandardCharsets.UTF_8));
  }

  private static int offset(String token, int size) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (plain.startsWith("sim-page:")) {
        int at = Integer.parseInt(plain.substring("sim-page:".length()));
        if (at >= 0 && at <= size) return at;
      }
    } catch (IllegalArgumentException e) { // NumberFormatException included
      // reported below
    }
    throw GeminiErrors.invalid("* ListModelsRequest.page_token: Invalid page token.\n");
  }
}
