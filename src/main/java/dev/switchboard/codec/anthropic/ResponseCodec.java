package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.exchange.RequestIds;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** Whole (non-streamed) messages: an upstream's answer → canonical, and canonical → a client's answer. */
final class ResponseCodec {
  private ResponseCodec() {}

  static ChatResponse decode(Buffer body) {
    JsonNode root = ExactJson.parse(body, e -> Wire.badUpstream("not JSON (" + e.getOriginalMessage() + ")"));
    if (!root.isObject()) throw Wire.badUpstream("not a JSON object");
    if ("error".equals(root.path("type").asString(null))) {
      JsonNode err = root.path("error");
      throw new RejectedException(Wire.error(-1, err.path("type").asString(null), err.path("message").asString(null)));
    }
    JsonNode id = root.get("id");
    if (id == null || !id.isString()) throw Wire.badUpstream("it has no id");
    JsonNode content = root.path("content");
    List<Part> parts = new ArrayList<>();
    long chars = 0;
    for (JsonNode b : content) {
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
    StopReason stop = Wire.stopReason(root.path("stop_reason").asString(null));
    String stopSequence = root.path("stop_sequence").asString(null);
    JsonNode u = root.get("usage");
    Usage usage = u != null && u.isObject() ? Wire.Counts.ZERO.merge(u).canonical()
        // No usage at all (not the real API): a rough estimate of the output, about four characters a token.
        : new Usage(0, (chars + 3) / 4, 0, 0, 0, true);
    return new ChatResponse(id.stringValue(), root.path("model").asString(null), parts, stop, stopSequence, usage);
  }

  /** One content block of an Anthropic message, or null for blocks the canonical model has no place for. */
  static Part part(JsonNode b) {
    String type = b.path("type").asString("");
    return switch (type) {
      case "text" -> Part.Text.of(b.path("text").asString(""));
      case "tool_use" -> {
        JsonNode input = b.get("input");
        yield new Part.ToolCall(ToolIds.fromWire(b.path("id").asString("")), b.path("name").asString(""),
            input != null && input.isObject() ? ExactJson.text(input) : "{}", null);
      }
      case "thinking" -> {
        String signature = b.path("signature").asString(null);
        yield new Part.Reasoning(b.path("thinking").asString(""),
            signature == null || signature.isEmpty() ? null : signature);
      }
      case "redacted_thinking" -> new Part.RedactedReasoning(b.path("data").asString(""));
      // Server-tool blocks (web search results, …) cannot appear: the encoder never sends server tools.
      default -> null;
    };
  }

  static Buffer encode(ChatResponse r, String clientModel) {
    return ExactJson.json(g -> {
      g.writeStartObject();
      g.writeStringProperty("id", messageId(r.id()));
      g.writeStringProperty("type", "message");
      g.writeStringProperty("role", "assistant");
      g.writeStringProperty("model", clientModel);
      g.writeName("content");
      g.writeStartArray();
      for (Part p : r.content()) writeBlock(g, p);
      g.writeEndArray();
      g.writeStringProperty("stop_reason", Wire.stopReason(r.stopReason()));
      g.writeStringProperty("stop_sequence", r.stopReason() == StopReason.STOP_SEQUENCE ? r.stopSequence() : null);
      Wire.Counts.of(r.usage()).write(g);
      g.writeEndObject();
    });
  }

  /** Anthropic ids start with {@code msg_}; another upstream's id is kept behind that prefix. */
  static String messageId(String id) {
    if (id == null || id.isEmpty()) return "msg_" + RequestIds.next().substring(4);
    return id.startsWith("msg_") ? id : "msg_" + id;
  }

  /** Images and tool results never occur in an answer; they are skipped. */
  private static void writeBlock(JsonGenerator g, Part p) {
    switch (p) {
      case Part.Text t -> {
        g.writeStartObject();
        g.writeStringProperty("type", "text");
        g.writeStringProperty("text", t.text());
        g.writeEndObject();
      }
      case Part.ToolCall c -> {
        g.writeStartObject();
        g.writeStringProperty("type", "tool_use");
        g.writeStringProperty("id", ToolIds.toWire(c.id()));
        g.writeStringProperty("name", c.name());
        g.writeName("input");
        ExactJson.writeObject(g, c.arguments());
        g.writeEndObject();
      }
      case Part.Reasoning r -> {
        g.writeStartObject();
        g.writeStringProperty("type", "thinking");
        g.writeStringProperty("thinking", r.text());
        // Required by the SDKs; empty when the upstream signs nothing (such thinking cannot be replayed).
        g.writeStringProperty("signature", r.signature() == null ? "" : r.signature());
        g.writeEndObject();
      }
      case Part.RedactedReasoning r -> {
        g.writeStartObject();
        g.writeStringProperty("type", "redacted_thinking");
        g.writeStringProperty("data", r.data());
        g.writeEndObject();
      }
      case Part.Image i -> { }
      case Part.ToolResult x -> { }
    }
  }
}
