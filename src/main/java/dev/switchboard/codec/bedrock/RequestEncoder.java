package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;

/** Canonical → a Converse request body. */
final class RequestEncoder {
  private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
  /** The text of the user turn added when a conversation would otherwise start with the assistant. */
  static final String LEADING_USER_TEXT = "Continue.";

  private final List<String> dropped = new ArrayList<>();

  private RequestEncoder() {}

  static BedrockConverseCodec.Encoded encode(ChatRequest req, String upstreamModelId) {
    RequestEncoder e = new RequestEncoder();
    return new BedrockConverseCodec.Encoded(ExactJson.json(g -> e.write(g, req, upstreamModelId)), e.dropped);
  }

  private record Turn(Role role, List<Part> parts) {}

  /** Blocks Bedrock accepts, in turns that alternate and start with the user. */
  private List<Turn> turns(ChatRequest req) {
    List<Turn> turns = new ArrayList<>();
    for (Message m : req.messages()) {
      List<Part> parts = new ArrayList<>();
      for (Part p : m.parts()) {
        switch (p) {
          case Part.Text t when t.text().isEmpty() -> { } // Bedrock refuses blank text
          case Part.Image i when i.url() != null -> dropped.add("image (url)");
          case Part.Image i when !IMAGE_FORMATS.contains(format(i.mediaType())) ->
              dropped.add("image (" + i.mediaType() + ")");
          case Part.Reasoning r when r.signature() == null -> dropped.add("reasoning (no signature)");
          case Part.Reasoning r when m.role() == Role.USER -> dropped.add("reasoning (in a user message)");
          case Part.RedactedReasoning r when m.role() == Role.USER -> dropped.add("reasoning (in a user message)");
          default -> parts.add(p);
        }
      }
      if (parts.isEmpty()) continue;
      if (!turns.isEmpty() && turns.getLast().role() == m.role()) {
        turns.getLast().parts().addAll(parts);
      } else {
        turns.add(new Turn(m.role(), parts));
      }
    }
    if (turns.isEmpty() || turns.getFirst().role() != Role.USER) {
      dropped.add("messages (a user turn was added: Bedrock requires the conversation to start with one)");
      turns.addFirst(new Turn(Role.USER, new ArrayList<>(List.of(Part.Text.of(LEADING_USER_TEXT)))));
    }
    // Tool results first in a user turn, as Claude on Bedrock requires.
    for (Turn t : turns) {
      if (t.role() != Role.USER) continue;
      List<Part> results = new ArrayList<>();
      List<Part> rest = new ArrayList<>();
      for (Part p : t.parts()) (p instanceof Part.ToolResult ? results : rest).add(p);
      t.parts().clear();
      t.parts().addAll(results);
      t.parts().addAll(rest);
    }
    return turns;
  }

  private static String format(String mediaType) {
    if (mediaType == null) return "";
    String f = mediaType.startsWith("image/") ? mediaType.substring(6) : mediaType;
    return f.equals("jpg") ? "jpeg" : f;
  }

  private void write(JsonGenerator g, ChatRequest req, String model) {
    boolean anthropic = model.contains("anthropic.");
    List<Turn> turns = turns(req);
    g.writeStartObject();

    g.writeName("messages");
    g.writeStartArray();
    Set<String> calledTools = new LinkedHashSet<>();
    boolean toolBlocks = false;
    for (Turn t : turns) {
      g.writeStartObject();
      g.writeStringProperty("role", t.role() == Role.USER ? "user" : "assistant");
      g.writeName("content");
      g.writeStartArray();
      for (Part p : t.parts()) {
        if (p instanceof Part.ToolCall c) calledTools.add(c.name());
        if (p instanceof Part.ToolCall || p instanceof Part.ToolResult) toolBlocks = true;
        block(g, p);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();

    if (!req.system().isEmpty()) {
      g.writeName("system");
      g.writeStartArray();
      for (Part.Text t : req.system()) {
        if (!t.text().isEmpty()) {
          g.writeStartObject();
          g.writeStringProperty("text", t.text());
          g.writeEndObject();
        }
        if (t.cache() != null) Wire.cachePoint(g, t.cache());
      }
      g.writeEndArray();
    }

    // Sampling and reasoning.
    Sampling s = req.sampling();
    Double temperature = s.temperature();
    Double topP = s.topP();
    Integer topK = s.topK();
    Integer budget = null;
    if (req.reasoning() != null) {
      if (anthropic) {
        budget = req.reasoning().budgetTokens() != null ? req.reasoning().budgetTokens()
            : switch (req.reasoning().effort() == null ? "medium" : req.reasoning().effort()) {
              case "minimal" -> 1024;
              case "low" -> 2048;
              case "high" -> 16384;
              default -> 8192;
            };
        if (temperature != null) { dropped.add("temperature (not allowed with thinking)"); temperature = null; }
        if (topK != null) { dropped.add("top_k (not allowed with thinking)"); topK = null; }
        if (topP != null && topP < 0.95) { dropped.add("top_p (below 0.95 is not allowed with thinking)"); topP = null; }
      } else {
        dropped.add("reasoning");
      }
    }
    if (temperature != null && temperature > 1) {
      dropped.add("temperature (clamped to 1)");
      temperature = 1.0;
    }
    if (topK != null && !anthropic) {
      dropped.add("top_k");
      topK = null;
    }
    if (s.seed() != null) dropped.add("seed");
    if (s.presencePenalty() != null) dropped.add("presence_penalty");
    if (s.frequencyPenalty() != null) dropped.add("frequency_penalty");
    if (req.choices() > 1) dropped.add("choices");
    if (req.outputFormat() != null) dropped.add("output_format");
    if (Boolean.FALSE.equals(req.parallelToolCalls())) dropped.add("parallel_tool_calls");
    if (req.user() != null) dropped.add("user");

    Integer maxTokens = req.maxOutputTokens();
    if (budget != null) {
      // Claude counts the thinking budget against max_tokens, which must exceed it.
      if (maxTokens == null) maxTokens = BedrockConverseCodec.DEFAULT_MAX_TOKENS + budget;
      else if (maxTokens <= budget) maxTokens = maxTokens + budget;
    }
    if (maxTokens != null || temperature != null || topP != null || !req.stopSequences().isEmpty()) {
      g.writeName("inferenceConfig");
      g.writeStartObject();
      if (maxTokens != null) g.writeNumberProperty("maxTokens", maxTokens);
      if (temperature != null) g.writeNumberProperty("temperature", temperature);
      if (topP != null) g.writeNumberProperty("topP", topP);
      if (!req.stopSequences().isEmpty()) {
        g.writeName("stopSequences");
        g.writeStartArray();
        for (String x : req.stopSequences()) g.writeString(x);
        g.writeEndArray();
      }
      g.writeEndObject();
    }

    // Tools. Bedrock has no "none" choice: the tools are left out unless the conversation's tool blocks need a
    // toolConfig; then they stay and the model may still call one.
    List<ToolDefinition> tools = req.tools();
    ToolChoice choice = req.toolChoice();
    if (choice instanceof ToolChoice.None) {
      if (!tools.isEmpty() && !toolBlocks) {
        dropped.add("tools (tool_choice none)");
        tools = List.of();
      } else {
        dropped.add("tool_choice (none)");
      }
      choice = null;
    }
    if (tools.isEmpty() && choice != null) {
      dropped.add("tool_choice (no tools)");
      choice = null;
    }
    List<String> synthetic = List.of();
    if (tools.isEmpty() && toolBlocks) {
      // Bedrock refuses toolUse/toolResult blocks without a toolConfig: declare the tools the history called.
      synthetic = new ArrayList<>(calledTools);
      if (synthetic.isEmpty()) synthetic = List.of("tool");
      dropped.add("toolConfig (added: the conversation has tool calls but the request declares no tools)");
    }
    if (!tools.isEmpty() || !synthetic.isEmpty()) {
      g.writeName("toolConfig");
      g.writeStartObject();
      g.writeName("tools");
      g.writeStartArray();
      for (ToolDefinition t : tools) {
        g.writeStartObject();
        g.writeName("toolSpec");
        g.writeStartObject();
        g.writeStringProperty("name", t.name());
        if (t.description() != null && !t.description().isEmpty()) g.writeStringProperty("description", t.description());
        g.writeName("inputSchema");
        g.writeStartObject();
        g.writeName("json");
        if (!ExactJson.writeObject(g, t.inputSchema())) dropped.add("tool input_schema (not a JSON object)");
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
        if (t.strict()) dropped.add("tools.strict");
        if (t.cache() != null) Wire.cachePoint(g, t.cache());
      }
      for (String name : synthetic) {
        g.writeStartObject();
        g.writeName("toolSpec");
        g.writeStartObject();
        g.writeStringProperty("name", name);
        g.writeName("inputSchema");
        g.writeStartObject();
        g.writeName("json");
        g.writeRawValue("{\"type\":\"object\"}");
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      if (choice != null) {
        g.writeName("toolChoice");
        g.writeStartObject();
        switch (choice) {
          case ToolChoice.Auto a -> { g.writeName("auto"); g.writeStartObject(); g.writeEndObject(); }
          case ToolChoice.Any a -> { g.writeName("any"); g.writeStartObject(); g.writeEndObject(); }
          case ToolChoice.Named n -> {
            g.writeName("tool");
            g.writeStartObject();
            g.writeStringProperty("name", n.name());
            g.writeEndObject();
          }
          case ToolChoice.None n -> { }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }

    if (topK != null || budget != null) {
      g.writeName("additionalModelRequestFields");
      g.writeStartObject();
      if (topK != null) g.writeNumberProperty("top_k", topK);
      if (budget != null) {
        g.writeName("thinking");
        g.writeStartObject();
        g.writeStringProperty("type", "enabled");
        g.writeNumberProperty("budget_tokens", budget);
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    if (anthropic && !req.stopSequences().isEmpty()) {
      // Bedrock says which stop sequence ended the answer only when asked for it.
      g.writeName("additionalModelResponseFieldPaths");
      g.writeStartArray();
      g.writeString("/stop_sequence");
      g.writeEndArray();
    }
    if (!req.metadata().isEmpty()) {
      g.writeName("requestMetadata");
      g.writeStartObject();
      for (Map.Entry<String, String> e : req.metadata().entrySet()) g.writeStringProperty(e.getKey(), e.getValue());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** One content block: exactly one union member, followed by a cachePoint block when the part carries one. */
  private void block(JsonGenerator g, Part p) {
    switch (p) {
      case Part.Text t -> {
        g.writeStartObject();
        g.writeStringProperty("text", t.text());
        g.writeEndObject();
        if (t.cache() != null) Wire.cachePoint(g, t.cache());
      }
      case Part.Image i -> {
        g.writeStartObject();
        image(g, i);
        g.writeEndObject();
        if (i.cache() != null) Wire.cachePoint(g, i.cache());
      }
      case Part.ToolCall c -> {
        g.writeStartObject();
        g.writeName("toolUse");
        g.writeStartObject();
        g.writeStringProperty("toolUseId", Wire.idToWire(c.id()));
        g.writeStringProperty("name", c.name());
        g.writeName("input");
        if (!ExactJson.writeObject(g, c.arguments())) dropped.add("tool_call arguments (not a JSON object)");
        g.writeEndObject();
        g.writeEndObject();
        if (c.signature() != null) dropped.add("tool_call signature");
      }
      case Part.ToolResult r -> {
        g.writeStartObject();
        g.writeName("toolResult");
        g.writeStartObject();
        g.writeStringProperty("toolUseId", Wire.idToWire(r.toolCallId()));
        g.writeName("content");
        g.writeStartArray();
        for (Part x : r.content()) {
          switch (x) {
            case Part.Text t -> {
              g.writeStartObject();
              g.writeStringProperty("text", t.text());
              g.writeEndObject();
            }
            case Part.Image i when i.url() == null && IMAGE_FORMATS.contains(format(i.mediaType())) -> {
              g.writeStartObject();
              image(g, i);
              g.writeEndObject();
            }
            default -> dropped.add("tool_result content (" + x.getClass().getSimpleName() + ")");
          }
        }
        g.writeEndArray();
        if (r.error()) g.writeStringProperty("status", "error");
        g.writeEndObject();
        g.writeEndObject();
        if (r.cache() != null) Wire.cachePoint(g, r.cache());
      }
      case Part.Reasoning r -> {
        g.writeStartObject();
        g.writeName("reasoningContent");
        g.writeStartObject();
        g.writeName("reasoningText");
        g.writeStartObject();
        g.writeStringProperty("text", r.text());
        g.writeStringProperty("signature", r.signature());
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
    }
  }

  private static void image(JsonGenerator g, Part.Image i) {
    g.writeName("image");
    g.writeStartObject();
    g.writeStringProperty("format", format(i.mediaType()));
    g.writeName("source");
    g.writeStartObject();
    g.writeStringProperty("bytes", i.data());
    g.writeEndObject();
    g.writeEndObject();
  }
}
