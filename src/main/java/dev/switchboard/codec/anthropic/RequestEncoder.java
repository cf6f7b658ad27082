package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The canonical request → a Messages body for an Anthropic upstream. Whatever Anthropic cannot take is
 * left out and named in the report; nothing is sent that the API would reject for a reason the client
 * could not see. One instance per request; not thread-safe.
 */
final class RequestEncoder {
  /** Anthropic's smallest thinking budget. */
  static final int MIN_THINKING_BUDGET = 1024;

  private final ChatRequest req;
  private final boolean v2026;
  private final int defaultMaxTokens;
  private final Set<String> dropped = new LinkedHashSet<>();

  private RequestEncoder(ChatRequest req, String apiVersion, int defaultMaxTokens) {
    this.req = req;
    this.v2026 = apiVersion.compareTo(AnthropicCodec.VERSION_2026_10_21) >= 0;
    this.defaultMaxTokens = defaultMaxTokens;
  }

  static AnthropicCodec.Encoded encode(ChatRequest req, String upstreamModel, String apiVersion,
      int defaultMaxTokens) {
    return new RequestEncoder(req, apiVersion, defaultMaxTokens).encode(upstreamModel);
  }

  private AnthropicCodec.Encoded encode(String upstreamModel) {
    List<Message> messages = prepare(req.messages());
    boolean hasTools = !req.tools().isEmpty();
    boolean forced = hasTools && (req.toolChoice() instanceof ToolChoice.Any || req.toolChoice() instanceof ToolChoice.Named);

    // Thinking, and the max_tokens that must exceed its budget.
    Integer budget = budget(req.reasoning());
    if (budget != null && forced) {
      dropped.add("reasoning (Anthropic cannot think when a tool call is forced)");
      budget = null;
    }
    if (budget != null && !continuesWithThinking(messages)) {
      dropped.add("reasoning (the assistant turn being continued has no signed thinking)");
      budget = null;
    }
    int maxTokens;
    if (req.maxOutputTokens() != null) {
      maxTokens = req.maxOutputTokens();
      if (budget != null && budget >= maxTokens) {
        budget = maxTokens - 1;
        if (budget < MIN_THINKING_BUDGET) {
          dropped.add("reasoning (max_tokens leaves no room for a thinking budget)");
          budget = null;
        }
      }
    } else {
      // The budget counts against max_tokens: add it, so the answer itself still gets the default.
      maxTokens = budget == null ? defaultMaxTokens : defaultMaxTokens + budget;
    }
    Integer thinkingBudget = budget;

    Sampling s = req.sampling();
    Double temperature = s.temperature();
    Double topP = s.topP();
    Integer topK = s.topK();
    if (v2026) {
      if (temperature != null) dropped.add("temperature");
      if (topP != null) dropped.add("top_p");
      if (topK != null) dropped.add("top_k");
      temperature = null;
      topP = null;
      topK = null;
    } else if (thinkingBudget != null) {
      // With thinking on, Anthropic accepts only temperature 1, no top_k, and top_p from 0.95.
      if (temperature != null && temperature != 1.0) {
        dropped.add("temperature (not allowed with thinking)");
        temperature = null;
      }
      if (topK != null) {
        dropped.add("top_k (not allowed with thinking)");
        topK = null;
      }
      if (topP != null && topP < 0.95) {
        dropped.add("top_p (below 0.95 is not allowed with thinking)");
        topP = null;
      }
    } else if (temperature != null && temperature > 1.0) {
      dropped.add("temperature (clamped to 1)");
      temperature = 1.0;
    }
    if (s.seed() != null) dropped.add("seed");
    if (s.presencePenalty() != null) dropped.add("presence_penalty");
    if (s.frequencyPenalty() != null) dropped.add("frequency_penalty");
    if (req.choices() > 1) dropped.add("choices");
    if (req.outputFormat() instanceof OutputFormat.JsonSchema) dropped.add("output_format (json_schema)");
    if (req.outputFormat() instanceof OutputFormat.JsonObject) dropped.add("output_format (json_object)");
    if (!hasTools && (req.toolChoice() instanceof ToolChoice.Any || req.toolChoice() instanceof ToolChoice.Named)) {
      dropped.add("tool_choice (no tools)");
    }

    String userId = req.metadata().get("user_id");
    for (String key : new TreeSet<>(req.metadata().keySet())) { // sorted: the canonical map has no order
      if (!key.equals("user_id")) dropped.add("metadata." + key);
    }
    if (req.user() != null) {
      if (userId == null) userId = req.user();
      else if (!userId.equals(req.user())) dropped.add("user");
    }

    Double t = temperature;
    Double p = topP;
    Integer k = topK;
    String uid = userId;
    var body = ExactJson.json(g -> {
      g.writeStartObject();
      g.writeStringProperty("model", upstreamModel);
      g.writeNumberProperty("max_tokens", maxTokens);
      writeSystem(g);
      g.writeName("messages");
      g.writeStartArray();
      for (Message m : messages) writeMessage(g, m);
      g.writeEndArray();
      if (hasTools) {
        writeTools(g);
        writeToolChoice(g);
      }
      if (thinkingBudget != null) {
        g.writeName("thinking");
        g.writeStartObject();
        g.writeStringProperty("type", "enabled");
        g.writeNumberProperty("budget_tokens", thinkingBudget);
        g.writeEndObject();
      }
      if (!req.stopSequences().isEmpty()) {
        g.writeName("stop_sequences");
        g.writeStartArray();
        for (String stop : req.stopSequences()) g.writeString(stop);
        g.writeEndArray();
      }
      if (t != null) g.writeNumberProperty("temperature", t);
      if (p != null) g.writeNumberProperty("top_p", p);
      if (k != null) g.writeNumberProperty("top_k", k);
      if (uid != null) {
        g.writeName("metadata");
        g.writeStartObject();
        g.writeStringProperty("user_id", uid);
        g.writeEndObject();
      }
      if (req.stream()) g.writeBooleanProperty("stream", true);
      g.writeEndObject();
    });
    return new AnthropicCodec.Encoded(body, List.copyOf(dropped));
  }

  /**
   * Effort levels become budgets where only an effort was given: minimal 1024, low 2048, medium 8192,
   * high 16384 tokens.
   */
  private static Integer budget(ReasoningConfig r) {
    if (r == null) return null;
    if (r.budgetTokens() != null) {
      return r.budgetTokens() <= 0 ? null : Math.max(MIN_THINKING_BUDGET, r.budgetTokens());
    }
    if (r.effort() == null) return null;
    return switch (r.effort()) {
      case "minimal" -> 1024;
      case "low" -> 2048;
      case "medium" -> 8192;
      case "high" -> 16384;
      default -> null;
    };
  }

  /**
   * With thinking on, Anthropic requires the assistant turn that a tool loop continues (the last one, when
   * the conversation ends in tool results) to start with a thinking block. A turn that came from another
   * provider has none: thinking is then left off for this request rather than failing it.
   */
  private static boolean continuesWithThinking(List<Message> messages) {
    Message last = messages.getLast();
    if (last.role() != Role.USER || last.parts().isEmpty() || !(last.parts().getFirst() instanceof Part.ToolResult)) {
      return true;
    }
    for (int i = messages.size() - 2; i >= 0; i--) {
      Message m = messages.get(i);
      if (m.role() != Role.ASSISTANT) continue;
      if (m.parts().stream().noneMatch(x -> x instanceof Part.ToolCall)) return true;
      Part first = m.parts().getFirst();
      return first instanceof Part.Reasoning || first instanceof Part.RedactedReasoning;
    }
    return true;
  }

  // ---- messages ----

  /**
   * Anthropic needs alternating roles, tool results before anything else in their user message, and no
   * empty content: keep only parts it can take, merge neighbours of the same role, then put each user
   * message's tool results first (in their order).
   */
  private List<Message> prepare(List<Message> in) {
    List<Message> merged = new ArrayList<>(in.size());
    for (Message m : in) {
      List<Part> parts = new ArrayList<>(m.parts().size());
      for (Part p : m.parts()) {
        if (keep(p)) parts.add(p);
      }
      if (parts.isEmpty()) continue;
      if (!merged.isEmpty() && merged.getLast().role() == m.role()) {
        List<Part> both = new ArrayList<>(merged.getLast().parts());
        both.addAll(parts);
        merged.set(merged.size() - 1, new Message(m.role(), both));
      } else {
        merged.add(new Message(m.role(), parts));
      }
    }
    if (merged.isEmpty()) {
      // Nothing Anthropic can take is left (e.g. only reasoning without signatures): send one empty turn's
      // worth of text rather than an invalid body, and let the report say why.
      merged.add(new Message(Role.USER, List.of(Part.Text.of("."))));
      dropped.add("messages (no content Anthropic accepts)");
    }
    for (int i = 0; i < merged.size(); i++) {
      Message m = merged.get(i);
      if (m.role() != Role.USER) continue;
      List<Part> results = new ArrayList<>();
      List<Part> rest = new ArrayList<>();
      for (Part p : m.parts()) (p instanceof Part.ToolResult ? results : rest).add(p);
      if (!results.isEmpty() && !rest.isEmpty()) {
        results.addAll(rest);
        merged.set(i, new Message(Role.USER, results));
      }
    }
    return merged;
  }

  private boolean keep(Part p) {
    return switch (p) {
      case Part.Text t -> !t.text().isEmpty(); // Anthropic rejects empty text blocks
      case Part.Reasoning r -> {
        if (r.signature() == null || r.signature().isEmpty()) {
          // Anthropic verifies thinking signatures; unsigned reasoning (another provider's) cannot be replayed.
          dropped.add("reasoning (no signature)");
          yield false;
        }
        yield true;
      }
      default -> true;
    };
  }

  private void writeMessage(JsonGenerator g, Message m) {
    g.writeStartObject();
    g.writeStringProperty("role", m.role() == Role.USER ? "user" : "assistant");
    g.writeName("content");
    g.writeStartArray();
    for (Part p : m.parts()) writePart(g, p);
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writePart(JsonGenerator g, Part p) {
    switch (p) {
      case Part.Text t -> writeText(g, t);
      case Part.Image i -> writeImage(g, i);
      case Part.ToolCall c -> {
        if (c.signature() != null) dropped.add("tool_call signature");
        g.writeStartObject();
        g.writeStringProperty("type", "tool_use");
        g.writeStringProperty("id", ToolIds.toWire(c.id()));
        g.writeStringProperty("name", c.name());
        g.writeName("input");
        writeArguments(g, c.arguments());
        g.writeEndObject();
      }
      case Part.ToolResult r -> {
        g.writeStartObject();
        g.writeStringProperty("type", "tool_result");
        g.writeStringProperty("tool_use_id", ToolIds.toWire(r.toolCallId()));
        List<Part> content = r.content().stream().filter(x -> !(x instanceof Part.Text t && t.text().isEmpty())).toList();
        if (content.size() == 1 && content.getFirst() instanceof Part.Text t && t.cache() == null) {
          g.writeStringProperty("content", t.text());
        } else if (!content.isEmpty()) {
          g.writeName("content");
          g.writeStartArray();
          for (Part x : content) {
            switch (x) {
              case Part.Text t -> writeText(g, t);
              case Part.Image i -> writeImage(g, i);
              default -> dropped.add("tool_result content (" + x.getClass().getSimpleName() + ")");
            }
          }
          g.writeEndArray();
        }
        if (r.error()) g.writeBooleanProperty("is_error", true);
        Wire.cacheControl(g, r.cache());
        g.writeEndObject();
      }
      case Part.Reasoning r -> {
        g.writeStartObject();
        g.writeStringProperty("type", "thinking");
        g.writeStringProperty("thinking", r.text());
        g.writeStringProperty("signature", r.signature());
        g.writeEndObject();
      }
      case Part.RedactedReasoning r -> {
        g.writeStartObject();
        g.writeStringProperty("type", "redacted_thinking");
        g.writeStringProperty("data", r.data());
        g.writeEndObject();
      }
    }
  }

  private static void writeText(JsonGenerator g, Part.Text t) {
    g.writeStartObject();
    g.writeStringProperty("type", "text");
    g.writeStringProperty("text", t.text());
    Wire.cacheControl(g, t.cache());
    g.writeEndObject();
  }

  /** Inline images as base64; {@code data:} URLs (OpenAI's way to inline) are unpacked into base64 too. */
  private static void writeImage(JsonGenerator g, Part.Image i) {
    String mediaType = i.mediaType();
    String data = i.data();
    if (data == null && i.url().startsWith("data:")) {
      int comma = i.url().indexOf(',');
      String meta = comma < 0 ? "" : i.url().substring(5, comma);
      if (meta.endsWith(";base64")) {
        mediaType = meta.substring(0, meta.length() - ";base64".length());
        data = i.url().substring(comma + 1);
      }
    }
    g.writeStartObject();
    g.writeStringProperty("type", "image");
    g.writeName("source");
    g.writeStartObject();
    if (data != null) {
      g.writeStringProperty("type", "base64");
      g.writeStringProperty("media_type", mediaType);
      g.writeStringProperty("data", data);
    } else {
      g.writeStringProperty("type", "url");
      g.writeStringProperty("url", i.url());
    }
    g.writeEndObject();
    Wire.cacheControl(g, i.cache());
    g.writeEndObject();
  }

  /**
   * Anthropic's {@code input} must be an object. The arguments' text is written exactly as held when it is
   * one; empty arguments are {@code {}}; anything else (a model can emit invalid JSON) becomes {@code {}}
   * and is reported.
   */
  private void writeArguments(JsonGenerator g, String arguments) {
    if (!ExactJson.writeObject(g, arguments)) dropped.add("tool_call arguments (not a JSON object)");
  }

  private void writeSystem(JsonGenerator g) {
    List<Part.Text> system = req.system().stream().filter(t -> !t.text().isEmpty()).toList();
    if (system.isEmpty()) return;
    g.writeName("system");
    g.writeStartArray();
    for (Part.Text t : system) writeText(g, t);
    g.writeEndArray();
  }

  private void writeTools(JsonGenerator g) {
    g.writeName("tools");
    g.writeStartArray();
    for (ToolDefinition t : req.tools()) {
      if (t.strict()) dropped.add("tools.strict");
      g.writeStartObject();
      g.writeStringProperty("name", t.name());
      if (t.description() != null) g.writeStringProperty("description", t.description());
      g.writeName("input_schema");
      writeSchema(g, t.inputSchema());
      Wire.cacheControl(g, t.cache());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /**
   * Anthropic requires {@code input_schema} to be an object schema with a {@code type}; OpenAI allows an
   * empty {@code parameters} object. The text is written as held unless {@code "type": "object"} must be
   * added.
   */
  private void writeSchema(JsonGenerator g, String schema) {
    JsonNode parsed = ExactJson.tryParse(schema);
    if (parsed == null || !parsed.isObject()) {
      dropped.add("tool input_schema (not a JSON object)");
      g.writeStartObject();
      g.writeStringProperty("type", "object");
      g.writeEndObject();
    } else if (!parsed.has("type")) {
      ObjectNode withType = ExactJson.MAPPER.createObjectNode().put("type", "object");
      withType.setAll((ObjectNode) parsed);
      g.writeTree(withType);
    } else {
      g.writeRawValue(schema.strip());
    }
  }

  private void writeToolChoice(JsonGenerator g) {
    ToolChoice c = req.toolChoice();
    boolean noParallel = Boolean.FALSE.equals(req.parallelToolCalls());
    if (c == null && !noParallel) return;
    g.writeName("tool_choice");
    g.writeStartObject();
    switch (c) {
      case null -> g.writeStringProperty("type", "auto");
      case ToolChoice.Auto a -> g.writeStringProperty("type", "auto");
      case ToolChoice.Any a -> g.writeStringProperty("type", "any");
      case ToolChoice.None n -> g.writeStringProperty("type", "none");
      case ToolChoice.Named n -> {
        g.writeStringProperty("type", "tool");
        g.writeStringProperty("name", n.name());
      }
    }
    if (noParallel && !(c instanceof ToolChoice.None)) g.writeBooleanProperty("disable_parallel_tool_use", true);
    g.writeEndObject();
  }
}
