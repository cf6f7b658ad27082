package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** Whole Converse responses: an upstream's answer → canonical, and canonical → a client's answer. */
final class ResponseCodec {
  private ResponseCodec() {}

  static ChatResponse decode(Buffer body, String id) {
    JsonNode root = ExactJson.parse(body, e -> Wire.badUpstream("not JSON (" + e.getOriginalMessage() + ")"));
    if (!root.isObject()) throw Wire.badUpstream("not a JSON object");
    JsonNode message = root.path("output").path("message");
    if (!message.isObject()) {
      if (root.path("message").isString() || root.path("Message").isString()) {
        throw new RejectedException(Wire.error(-1, root.path("__type").asString(null),
            root.path("message").asString(root.path("Message").asString(null))));
      }
      throw Wire.badUpstream("it has no output.message");
    }
    List<Part> parts = new ArrayList<>();
    long chars = 0;
    for (JsonNode b : message.path("content")) {
      Part p = part(b);
      if (p == null) continue;
      parts.add(p);
      chars += switch (p) {
        case Part.Text t -> t.text().length();
        case Part.ToolCall c -> c.name().length() + c.arguments().length();
        case Part.Reasoning r -> r.text().length();
        default -> 0;
      };
    }
    StopReason stop = Wire.stopReason(root.path("stopReason").asString(null));
    String stopSequence = root.path("additionalModelResponseFields").path("stop_sequence").asString(null);
    JsonNode u = root.get("usage");
    Usage usage = u != null && u.isObject() ? Wire.usage(u) : new Usage(0, (chars + 3) / 4, 0, 0, 0, true);
    return new ChatResponse(id, null, parts, stop, stop == StopReason.STOP_SEQUENCE ? stopSequence : null, usage);
  }

  /** One content block of an answer, or null for blocks the canonical model has no place for. */
  static Part part(JsonNode b) {
    if (b.has("text")) return Part.Text.of(b.path("text").asString(""));
    JsonNode tool = b.get("toolUse");
    if (tool != null && tool.isObject()) {
      JsonNode input = tool.get("input");
      return new Part.ToolCall(Wire.idFromWire(tool.path("toolUseId").asString("")), tool.path("name").asString(""),
          input != null && input.isObject() ? ExactJson.text(input) : "{}", null);
    }
    JsonNode reasoning = b.get("reasoningContent");
    if (reasoning != null && reasoning.isObject()) {
      JsonNode text = reasoning.get("reasoningText");
      if (text != null && text.isObject()) {
        String sig = text.path("signature").asString(null);
        return new Part.Reasoning(text.path("text").asString(""), sig == null || sig.isEmpty() ? null : sig);
      }
      if (reasoning.path("redactedContent").isString()) {
        return new Part.RedactedReasoning(reasoning.path("redactedContent").stringValue());
      }
    }
    return null;
  }

  static Buffer encode(ChatResponse r, long latencyMs) {
    return ExactJson.json(g -> {
      g.writeStartObject();
      g.writeName("output");
      g.writeStartObject();
      g.writeName("message");
      g.writeStartObject();
      g.writeStringProperty("role", "assistant");
      g.writeName("content");
      g.writeStartArray();
      for (Part p : r.content()) writeBlock(g, p);
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeStringProperty("stopReason", Wire.stopReason(r.stopReason()));
      Wire.writeUsage(g, r.usage());
      Wire.writeMetrics(g, latencyMs);
      if (r.stopReason() == StopReason.STOP_SEQUENCE && r.stopSequence() != null) {
        g.writeName("additionalModelResponseFields");
        g.writeStartObject();
        g.writeStringProperty("stop_sequence", r.stopSequence());
        g.writeEndObject();
      }
      g.writeEndObject();
    });
  }

  /** Images and tool results never occur in an answer; they are skipped. */
  private static void writeBlock(JsonGenerator g, Part p) {
    switch (p) {
      case Part.Text t -> {
        g.writeStartObject();
        g.writeStringProperty("text", t.text());
        g.writeEndObject();
      }
      case Part.ToolCall c -> {
        g.writeStartObject();
        g.writeName("toolUse");
        g.writeStartObject();
        g.writeStringProperty("toolUseId", Wire.idToClient(c.id()));
        g.writeStringProperty("name", c.name());
        g.writeName("input");
        ExactJson.writeObject(g, c.arguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      case Part.Reasoning r -> {
        g.writeStartObject();
        g.writeName("reasoningContent");
        g.writeStartObject();
        g.writeName("reasoningText");
        g.writeStartObject();
        g.writeStringProperty("text", r.text());
        if (r.signature() != null) g.writeStringProperty("signature", r.signature());
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
      }
      case Part.RedactedReasoning r -> {
        g.writeStartObject();
        g.writeName("reasoningContent");
        g.writeStartObject();
        g.writeStringProperty("redactedContent", r.data());
        g.writeEndObject();
        g.writeEndObject();
      }
      case Part.Image i -> { }
      case Part.ToolResult x -> { }
    }
  }
}
