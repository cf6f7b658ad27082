package dev.switchboard.codec.openai;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;

/** Writes a canonical {@link ChatResponse} as an OpenAI {@code chat.completion} (PROTOCOLS.md 1.2). */
final class ResponseEncoder {
  private ResponseEncoder() {}

  /**
   * Text parts are joined into {@code content} (null when the answer is only tool calls, as OpenAI sends it);
   * reasoning goes to {@code reasoning_content}, the field OpenAI-compatible servers use (the SDKs keep it as an
   * additional property); redacted reasoning is not shown.
   */
  static Buffer encode(ChatResponse r, String clientModel, long createdSeconds) {
    StringBuilder text = null;
    StringBuilder reasoning = null;
    List<Part.ToolCall> calls = new ArrayList<>();
    for (Part p : r.content()) {
      switch (p) {
        case Part.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
        case Part.Reasoning t -> reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(t.text());
        case Part.ToolCall c -> calls.add(c);
        default -> { } // redacted reasoning is never shown; images and tool results do not occur in answers
      }
    }
    Buffer out = Buffer.buffer(512);
    try (JsonGenerator g = JsonOut.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("id", r.id());
      g.writeStringProperty("object", "chat.completion");
      g.writeNumberProperty("created", createdSeconds);
      g.writeStringProperty("model", clientModel);
      g.writeArrayPropertyStart("choices");
      g.writeStartObject();
      g.writeNumberProperty("index", 0);
      g.writeObjectPropertyStart("message");
      g.writeStringProperty("role", "assistant");
      g.writeStringProperty("content", text != null ? text.toString() : calls.isEmpty() ? "" : null);
      g.writeNullProperty("refusal");
      if (reasoning != null) g.writeStringProperty("reasoning_content", reasoning.toString());
      if (!calls.isEmpty()) {
        g.writeArrayPropertyStart("tool_calls");
        for (Part.ToolCall c : calls) {
          g.writeStartObject();
          g.writeStringProperty("id", c.id());
          g.writeStringProperty("type", "function");
          g.writeObjectPropertyStart("function");
          g.writeStringProperty("name", c.name());
          g.writeStringProperty("arguments", c.arguments()); // a JSON *string* (PROTOCOLS.md 1.4)
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeNullProperty("logprobs");
      g.writeStringProperty("finish_reason", FinishReasons.encode(r.stopReason(), !calls.isEmpty()));
      g.writeEndObject();
      g.writeEndArray();
      g.writeName("usage");
      UsageJson.write(g, r.usage());
      g.writeNullProperty("system_fingerprint");
      g.writeStringProperty("service_tier", "default");
      g.writeEndObject();
    }
    return out;
  }
}
