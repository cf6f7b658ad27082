package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;

/**
 * A Messages request as a client sends it → the canonical request. Validates as the Anthropic API does, in
 * its phrasing ({@code messages.1.content.0.tool_use_id: Field required}), and collects what the canonical
 * model cannot carry. One instance per request; not thread-safe.
 */
final class RequestDecoder {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  /** Assistant-side blocks of Anthropic's server tools: results of tools that only Anthropic runs. */
  private static final Set<String> SERVER_TOOL_BLOCKS = Set.of("server_tool_use", "web_search_tool_result",
      "web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
      "text_editor_code_execution_tool_result", "tool_search_tool_result", "mcp_tool_use", "mcp_tool_result",
      "container_upload");
  private static final String BLOCK_TAGS = "'text', 'image', 'document', 'search_result', 'thinking', "
      + "'redacted_thinking', 'tool_use', 'tool_result', 'server_tool_use', 'web_search_tool_result'";

  private final boolean v2026;
  /** The model and streaming a platform (Bedrock, Vertex) gives in its URL; null for the Messages API. */
  private final String platformModel;
  private final boolean platformStream;
  private final Set<String> dropped = new LinkedHashSet<>();

  private RequestDecoder(boolean v2026, String platformModel, boolean platformStream) {
    this.v2026 = v2026;
    this.platformModel = platformModel;
    this.platformStream = platformStream;
  }

  static AnthropicCodec.Decoded decode(Buffer body, String apiVersion) {
    return new RequestDecoder(isAtLeast2026(apiVersion), null, false).decode(parse(body));
  }

  static AnthropicCodec.Decoded decodePlatform(JsonNode body, String model, boolean stream, String apiVersion) {
    return new RequestDecoder(isAtLeast2026(apiVersion), model, stream).decode(body);
  }

  private static boolean isAtLeast2026(String apiVersion) {
    if (apiVersion == null || apiVersion.isBlank()) {
      throw invalid("anthropic-version", "header is required; send 'anthropic-version: "
          + AnthropicCodec.VERSION_2023_06_01 + "' or '" + AnthropicCodec.VERSION_2026_10_21 + "'", "missing_version");
    }
    if (!DATE.matcher(apiVersion).matches()) {
      throw invalid("anthropic-version", "'" + apiVersion + "' is not a valid version; use "
          + AnthropicCodec.VERSION_2023_06_01 + " or " + AnthropicCodec.VERSION_2026_10_21, "invalid_version");
    }
    // Versions are dates: later versions keep the rules of 2026-10-21 until we learn otherwise.
    return apiVersion.compareTo(AnthropicCodec.VERSION_2026_10_21) >= 0;
  }

  private static JsonNode parse(Buffer body) {
    return ExactJson.parse(body, e -> {
      TokenStreamLocation loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      return new RejectedException(GatewayError.invalid("There was an issue with your request body: it is not valid "
          + "JSON: " + e.getOriginalMessage() + where + ".", null, "invalid_json"));
    });
  }

  private AnthropicCodec.Decoded decode(JsonNode root) {
    if (!root.isObject()) {
      throw new RejectedException(GatewayError.invalid("The request body must be a JSON object, like {\"model\": "
          + "\"...\", \"max_tokens\": 1024, \"messages\": [...]}.", null, "invalid_json"));
    }
    String model = null;
    Integer maxTokens = null;
    List<Part.Text> system = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    boolean sawMessages = false;
    List<ToolDefinition> tools = new ArrayList<>();
    ToolChoice toolChoice = null;
    Boolean parallel = null;
    Double temperature = null;
    Double topP = null;
    Integer topK = null;
    List<String> stops = List.of();
    OutputFormat format = null;
    ReasoningConfig reasoning = null;
    Map<String, String> metadata = new LinkedHashMap<>();
    boolean stream = false;

    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model" -> {
          if (platformModel != null) throw notOnPlatform("model", "the model is named by the URL");
          model = string(v, "model");
        }
        case "max_tokens" -> maxTokens = integer(v, "max_tokens", 1);
        case "messages" -> {
          sawMessages = true;
          messages(v, system, messages);
        }
        case "system" -> {
          if (!v.isNull()) system.addAll(0, systemPrompt(v, "system"));
        }
        case "stop_sequences" -> stops = v.isNull() ? List.of() : strings(v, "stop_sequences");
        case "stream" -> {
          if (platformModel != null) throw notOnPlatform("stream", "the endpoint decides whether the answer streams");
          stream = !v.isNull() && bool(v, "stream");
        }
        case "anthropic_version" -> {
          // A platform's body carries its version here; the caller has checked it. Elsewhere it means nothing.
          if (platformModel == null) dropped.add(name);
        }
        case "metadata" -> metadata(v, metadata);
        case "tools" -> tools(v, tools);
        case "tool_choice" -> {
          if (v.isNull()) break;
          requireObject(v, "tool_choice");
          toolChoice = toolChoice(v);
          JsonNode d = v.get("disable_parallel_tool_use");
          if (d != null && !d.isNull()) parallel = !bool(d, "tool_choice.disable_parallel_tool_use");
        }
        case "thinking" -> reasoning = v.isNull() ? null : thinking(v);
        case "temperature" -> temperature = sampling(v, "temperature", 1.0);
        case "top_p" -> topP = sampling(v, "top_p", 1.0);
        case "top_k" -> {
          if (v.isNull()) break;
          rejectIn2026("top_k");
          topK = integer(v, "top_k", 0);
        }
        case "output_config" -> format = outputConfig(v, format);
        case "output_format" -> {
          // The structured-outputs beta's spelling of output_config.format.
          if (!v.isNull()) format = outputFormat(v, "output_format");
        }
        default -> dropped.add(name);
      }
    }
    if (platformModel != null) {
      model = platformModel;
      stream = platformStream;
    }
    if (model == null) throw missing("model");
    if (model.isBlank()) throw invalid("model", "String should have at least 1 character", "invalid_value");
    if (maxTokens == null) throw missing("max_tokens");
    if (!sawMessages) throw missing("messages");
    if (messages.isEmpty()) {
      throw invalid("messages", "at least one user or assistant message is required (system messages alone are "
          + "not a conversation)", "empty_array");
    }
    Sampling sampling = temperature == null && topP == null && topK == null ? Sampling.DEFAULT
        : new Sampling(temperature, topP, topK, null, null, null);
    ChatRequest request = new ChatRequest(model, system, messages, tools, toolChoice, parallel, sampling, maxTokens,
        stops, format, reasoning, metadata, null, stream, 1);
    return new AnthropicCodec.Decoded(request, List.copyOf(dropped));
  }

  // ---- messages ----

  private void messages(JsonNode v, List<Part.Text> system, List<Message> out) {
    if (!v.isArray()) throw type("messages", "a valid list");
    if (v.isEmpty()) throw invalid("messages", "List should have at least 1 item after validation, not 0", "empty_array");
    for (int i = 0; i < v.size(); i++) {
      String at = "messages." + i;
      JsonNode m = v.get(i);
      if (!m.isObject()) throw type(at, "a valid dictionary");
      JsonNode roleNode = m.get("role");
      if (roleNode == null || roleNode.isNull()) throw missing(at + ".role");
      String role = roleNode.isString() ? roleNode.stringValue() : null;
      if (!"user".equals(role) && !"assistant".equals(role) && !"system".equals(role)) {
        throw invalid(at + ".role", "Input should be 'user', 'assistant' or 'system'", "invalid_value");
      }
      JsonNode content = m.get("content");
      if (content == null || content.isNull()) throw missing(at + ".content");
      for (String f : m.propertyNames()) {
        if (!f.equals("role") && !f.equals("content")) dropped.add(at + "." + f);
      }
      if (role.equals("system")) {
        // Current SDKs also place the system prompt here (PROTOCOLS.md 2.2); it joins the top-level one.
        system.addAll(systemPrompt(content, at + ".content"));
        continue;
      }
      Role r = role.equals("user") ? Role.USER : Role.ASSISTANT;
      out.add(new Message(r, content(content, at + ".content", r)));
    }
  }

  private List<Part.Text> systemPrompt(JsonNode v, String at) {
    if (v.isString()) return v.stringValue().isEmpty() ? List.of() : List.of(Part.Text.of(v.stringValue()));
    if (!v.isArray()) throw type(at, "a valid string or a list of text blocks");
    List<Part.Text> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      String bt = at + "." + i;
      JsonNode b = v.get(i);
      if (!b.isObject()) throw type(bt, "a valid dictionary");
      String type = tag(b, bt);
      if (!type.equals("text")) {
        throw invalid(bt + ".type", "Input should be 'text'", "invalid_value");
      }
      out.add(new Part.Text(string(required(b, bt, "text"), bt + ".text"), cache(b, bt)));
      citations(b, bt, false);
    }
    return out;
  }

  private List<Part> content(JsonNode v, String at, Role role) {
    if (v.isString()) return List.of(Part.Text.of(v.stringValue()));
    if (!v.isArray()) throw type(at, "a valid list");
    List<Part> parts = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) block(v.get(i), at + "." + i, role, parts);
    return parts;
  }

  private void block(JsonNode b, String at, Role role, List<Part> out) {
    if (!b.isObject()) throw type(at, "a valid dictionary");
    String type = tag(b, at);
    switch (type) {
      case "text" -> {
        citations(b, at, role == Role.USER);
        out.add(new Part.Text(string(required(b, at, "text"), at + ".text"), cache(b, at)));
      }
      case "image" -> out.add(image(b, at));
      case "tool_use" -> {
        String id = string(required(b, at, "id"), at + ".id");
        String name = string(required(b, at, "name"), at + ".name");
        JsonNode input = required(b, at, "input");
        if (!input.isObject()) throw type(at + ".input", "a valid dictionary");
        if (b.hasNonNull("cache_control")) dropped.add(at + ".cache_control");
        out.add(new Part.ToolCall(ToolIds.fromWire(id), name, ExactJson.text(input), null));
      }
      case "tool_result" -> out.add(toolResult(b, at));
      case "thinking" -> {
        String thinking = string(required(b, at, "thinking"), at + ".thinking");
        JsonNode sig = b.get("signature");
        String signature = sig == null || sig.isNull() ? null : string(sig, at + ".signature");
        out.add(new Part.Reasoning(thinking, signature == null || signature.isEmpty() ? null : signature));
      }
      case "redacted_thinking" -> out.add(new Part.RedactedReasoning(string(required(b, at, "data"), at + ".data")));
      case "document" -> {
        if (v2026 && role == Role.ASSISTANT) {
          throw invalid(at, "document blocks are not allowed in assistant messages with anthropic-version "
              + AnthropicCodec.VERSION_2026_10_21, "invalid_value");
        }
        document(b, at, out);
      }
      case "search_result" -> dropped.add(at + " (search_result)");
      default -> {
        if (SERVER_TOOL_BLOCKS.contains(type)) {
          dropped.add(at + " (" + type + ")");
        } else {
          throw invalid(at + ".type", "Input tag '" + type + "' found using 'type' does not match any of the "
              + "expected tags: " + BLOCK_TAGS, "invalid_value");
        }
      }
    }
  }

  private Part.Image image(JsonNode b, String at) {
    JsonNode source = required(b, at, "source");
    String st = at + ".source";
    if (!source.isObject()) throw type(st, "a valid dictionary");
    String kind = tag(source, st);
    CacheMarker cache = cache(b, at);
    return switch (kind) {
      case "base64" -> new Part.Image(string(required(source, st, "media_type"), st + ".media_type"),
          string(required(source, st, "data"), st + ".data"), null, cache);
      case "url" -> new Part.Image(null, null, string(required(source, st, "url"), st + ".url"), cache);
      case "file" -> throw invalid(st, "images from the Files API (file_id) cannot be sent to this model's "
          + "provider; send the image as base64 or url", "unsupported_content");
      default -> throw invalid(st + ".type", "Input tag '" + kind + "' found using 'type' does not match any of the "
          + "expected tags: 'base64', 'url', 'file'", "invalid_value");
    };
  }

  private Part.ToolResult toolResult(JsonNode b, String at) {
    String id = string(required(b, at, "tool_use_id"), at + ".tool_use_id");
    List<Part> content = new ArrayList<>();
    JsonNode c = b.get("content");
    if (c != null && !c.isNull()) {
      String ct = at + ".content";
      if (c.isString()) {
        if (!c.stringValue().isEmpty()) content.add(Part.Text.of(c.stringValue()));
      } else if (c.isArray()) {
        for (int i = 0; i < c.size(); i++) {
          String it = ct + "." + i;
          JsonNode x = c.get(i);
          if (!x.isObject()) throw type(it, "a valid dictionary");
          switch (tag(x, it)) {
            case "text" -> {
              citations(x, it, false);
              content.add(new Part.Text(string(required(x, it, "text"), it + ".text"), cache(x, it)));
            }
            case "image" -> content.add(image(x, it));
            case "document" -> document(x, it, content);
            case "search_result" -> dropped.add(it + " (search_result)");
            default -> throw invalid(it + ".type", "Input tag '" + tag(x, it) + "' found using 'type' does not "
                + "match any of the expected tags: 'text', 'image', 'document', 'search_result'", "invalid_value");
          }
        }
      } else {
        throw type(ct, "a valid string or a list of blocks");
      }
    }
    JsonNode e = b.get("is_error");
    boolean error = e != null && !e.isNull() && bool(e, at + ".is_error");
    return new Part.ToolResult(ToolIds.fromWire(id), null, content, error, cache(b, at));
  }

  /**
   * Plain-text documents ({@code source.type} {@code text} or {@code content}) become text parts, reported
   * because their title, context and citation settings are lost. PDF and file documents are rejected: the
   * canonical model has no document part, and dropping a document the question is about would answer a
   * different question.
   */
  private void document(JsonNode b, String at, List<Part> out) {
    JsonNode source = required(b, at, "source");
    String st = at + ".source";
    if (!source.isObject()) throw type(st, "a valid dictionary");
    String kind = tag(source, st);
    CacheMarker cache = cache(b, at);
    switch (kind) {
      case "text" -> out.add(new Part.Text(string(required(source, st, "data"), st + ".data"), cache));
      case "content" -> {
        JsonNode c = required(source, st, "content");
        if (c.isString()) {
          out.add(new Part.Text(c.stringValue(), cache));
        } else if (c.isArray()) {
          for (int i = 0; i < c.size(); i++) {
            String it = st + ".content." + i;
            JsonNode x = c.get(i);
            if (!x.isObject()) throw type(it, "a valid dictionary");
            switch (tag(x, it)) {
              case "text" -> out.add(new Part.Text(string(required(x, it, "text"), it + ".text"), cache(x, it)));
              case "image" -> out.add(image(x, it));
              default -> throw invalid(it + ".type", "Input should be 'text' or 'image'", "invalid_value");
            }
          }
        } else {
          throw type(st + ".content", "a valid string or a list of blocks");
        }
      }
      default -> throw invalid(st, "documents with a '" + kind + "' source (PDF or file) cannot be sent to this "
          + "model's provider; send the document's text as a text block instead", "unsupported_content");
    }
    dropped.add(at + " (document, kept as text)");
  }

  /** Citations in a text block: lost in translation, and rejected in user messages from 2026-10-21 on. */
  private void citations(JsonNode b, String at, boolean user) {
    JsonNode c = b.get("citations");
    if (c == null || c.isNull() || (c.isArray() && c.isEmpty())) return;
    if (v2026 && user) {
      throw invalid(at + ".citations", "text blocks with citations are not allowed in user messages with "
          + "anthropic-version " + AnthropicCodec.VERSION_2026_10_21, "invalid_value");
    }
    dropped.add(at + ".citations");
  }

  private CacheMarker cache(JsonNode b, String at) {
    JsonNode c = b.get("cache_control");
    if (c == null || c.isNull()) return null;
    String ct = at + ".cache_control";
    if (!c.isObject()) throw type(ct, "a valid dictionary");
    String type = tag(c, ct);
    if (!type.equals("ephemeral")) throw invalid(ct + ".type", "Input should be 'ephemeral'", "invalid_value");
    JsonNode ttl = c.get("ttl");
    if (ttl == null || ttl.isNull()) return CacheMarker.DEFAULT;
    String t = string(ttl, ct + ".ttl");
    if (!t.equals("5m") && !t.equals("1h")) throw invalid(ct + ".ttl", "Input should be '5m' or '1h'", "invalid_value");
    return new CacheMarker(t);
  }

  // ---- tools ----

  private void tools(JsonNode v, List<ToolDefinition> out) {
    if (v.isNull()) return;
    if (!v.isArray()) throw type("tools", "a valid list");
    for (int i = 0; i < v.size(); i++) {
      String at = "tools." + i;
      JsonNode t = v.get(i);
      if (!t.isObject()) throw type(at, "a valid dictionary");
      JsonNode type = t.get("type");
      if (type != null && !type.isNull() && !"custom".equals(type.asString())) {
        // Server tools (web search, code execution, …) and Anthropic-defined client tools (bash, text
        // editor, computer) exist only at Anthropic.
        dropped.add(at + " (" + type.asString() + ")");
        continue;
      }
      String name = string(required(t, at, "name"), at + ".name");
      JsonNode schema = required(t, at, "input_schema");
      if (!schema.isObject()) throw type(at + ".input_schema", "a valid dictionary");
      JsonNode d = t.get("description");
      String description = d == null || d.isNull() ? null : string(d, at + ".description");
      JsonNode s = t.get("strict");
      boolean strict = s != null && !s.isNull() && bool(s, at + ".strict");
      for (String f : t.propertyNames()) {
        switch (f) {
          case "type", "name", "input_schema", "description", "strict", "cache_control" -> { }
          default -> dropped.add(at + "." + f);
        }
      }
      out.add(new ToolDefinition(name, description, ExactJson.text(schema), strict, cache(t, at)));
    }
  }

  private ToolChoice toolChoice(JsonNode v) {
    String type = tag(v, "tool_choice");
    return switch (type) {
      case "auto" -> ToolChoice.AUTO;
      case "any" -> ToolChoice.ANY;
      case "none" -> ToolChoice.NONE;
      case "tool" -> new ToolChoice.Named(string(required(v, "tool_choice", "name"), "tool_choice.name"));
      default -> throw invalid("tool_choice.type", "Input tag '" + type + "' found using 'type' does not match any "
          + "of the expected tags: 'auto', 'any', 'tool', 'none'", "invalid_value");
    };
  }

  private ReasoningConfig thinking(JsonNode v) {
    requireObject(v, "thinking");
    String type = tag(v, "thinking");
    ReasoningConfig config = switch (type) {
      case "enabled" -> new ReasoningConfig(null,
          integer(required(v, "thinking", "budget_tokens"), "thinking.budget_tokens", 1));
      // Anthropic's default. The canonical model has no "off" (null means the provider's default).
      case "disabled" -> null;
      case "adaptive", "between_tools" -> {
        // The model decides how much to think: no budget or effort to carry.
        dropped.add("thinking (" + type + ")");
        yield null;
      }
      default -> throw invalid("thinking.type", "Input tag '" + type + "' found using 'type' does not match any of "
          + "the expected tags: 'enabled', 'disabled', 'adaptive', 'between_tools'", "invalid_value");
    };
    for (String f : v.propertyNames()) {
      if (!f.equals("type") && !f.equals("budget_tokens")) dropped.add("thinking." + f);
    }
    return config;
  }

  private OutputFormat outputConfig(JsonNode v, OutputFormat current) {
    if (v.isNull()) return current;
    requireObject(v, "output_config");
    OutputFormat format = current;
    for (Map.Entry<String, JsonNode> f : v.properties()) {
      if (f.getKey().equals("format")) {
        if (!f.getValue().isNull()) format = outputFormat(f.getValue(), "output_config.format");
      } else {
        dropped.add("output_config." + f.getKey());
      }
    }
    return format;
  }

  private static OutputFormat outputFormat(JsonNode v, String at) {
    requireObject(v, at);
    String type = tag(v, at);
    if (!type.equals("json_schema")) throw invalid(at + ".type", "Input should be 'json_schema'", "invalid_value");
    JsonNode schema = required(v, at, "schema");
    if (!schema.isObject()) throw type(at + ".schema", "a valid dictionary");
    // Anthropic's structured outputs are always enforced: strict.
    return new OutputFormat.JsonSchema(null, ExactJson.text(schema), true);
  }

  private void metadata(JsonNode v, Map<String, String> out) {
    if (v.isNull()) return;
    requireObject(v, "metadata");
    for (Map.Entry<String, JsonNode> f : v.properties()) {
      if (f.getKey().equals("user_id")) {
        if (!f.getValue().isNull()) out.put("user_id", string(f.getValue(), "metadata.user_id"));
      } else {
        dropped.add("metadata." + f.getKey());
      }
    }
  }

  private Double sampling(JsonNode v, String field, double max) {
    if (v.isNull()) return null;
    rejectIn2026(field);
    if (!v.isNumber()) throw type(field, "a valid number");
    double d = v.doubleValue();
    if (d < 0) throw invalid(field, "Input should be greater than or equal to 0", "invalid_value");
    if (d > max) throw invalid(field, "Input should be less than or equal to " + (int) max, "invalid_value");
    return d;
  }

  private void rejectIn2026(String field) {
    if (v2026) {
      throw invalid(field, "this parameter is not supported with anthropic-version "
          + AnthropicCodec.VERSION_2026_10_21 + " (temperature, top_p and top_k were removed); remove it, or send "
          + "anthropic-version " + AnthropicCodec.VERSION_2023_06_01, "unsupported_parameter");
    }
  }

  // ---- field helpers: each names the field the way the Anthropic API does ----

  private static JsonNode required(JsonNode object, String at, String field) {
    JsonNode v = object.get(field);
    if (v == null || v.isNull()) throw missing(at + "." + field);
    return v;
  }

  private static void requireObject(JsonNode v, String at) {
    if (!v.isObject()) throw type(at, "a valid dictionary");
  }

  /** The {@code type} discriminator of a block. */
  private static String tag(JsonNode object, String at) {
    JsonNode t = object.get("type");
    if (t == null || t.isNull()) {
      throw invalid(at, "Unable to extract tag using discriminator 'type'", "missing_required_parameter");
    }
    if (!t.isString()) throw type(at + ".type", "a valid string");
    return t.stringValue();
  }

  private static String string(JsonNode v, String at) {
    if (!v.isString()) throw type(at, "a valid string");
    return v.stringValue();
  }

  private static boolean bool(JsonNode v, String at) {
    if (!v.isBoolean()) throw type(at, "a valid boolean");
    return v.booleanValue();
  }

  private static int integer(JsonNode v, String at, int min) {
    if (v.isNull()) throw missing(at);
    if (!v.isIntegralNumber()) throw type(at, "a valid integer");
    if (!v.canConvertToInt()) throw invalid(at, "Input should be less than or equal to " + Integer.MAX_VALUE, "invalid_value");
    int i = v.intValue();
    if (i < min) throw invalid(at, "Input should be greater than or equal to " + min, "invalid_value");
    return i;
  }

  private static List<String> strings(JsonNode v, String at) {
    if (!v.isArray()) throw type(at, "a valid list");
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) out.add(string(v.get(i), at + "." + i));
    return out;
  }

  /** Bedrock and Vertex refuse these fields in the body rather than ignore them; so does the gateway. */
  private static RejectedException notOnPlatform(String at, String why) {
    return invalid(at, "Extra inputs are not permitted (" + why + ")", "extra_field");
  }

  private static RejectedException missing(String at) {
    return invalid(at, "Field required", "missing_required_parameter");
  }

  private static RejectedException type(String at, String expected) {
    return invalid(at, "Input should be " + expected, "invalid_type");
  }

  private static RejectedException invalid(String at, String message, String code) {
    return new RejectedException(GatewayError.invalid(at + ": " + message, at, code));
  }
}
