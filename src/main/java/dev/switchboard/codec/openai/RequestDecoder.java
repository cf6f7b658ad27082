package dev.switchboard.codec.openai;

import static dev.switchboard.codec.openai.Rejections.emptyArray;
import static dev.switchboard.codec.openai.Rejections.invalidType;
import static dev.switchboard.codec.openai.Rejections.invalidValue;
import static dev.switchboard.codec.openai.Rejections.missing;
import static dev.switchboard.codec.openai.Rejections.outOfRange;
import static dev.switchboard.codec.openai.Rejections.rejected;
import static dev.switchboard.codec.openai.Rejections.unsupported;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.stream.ByteArrays;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;

/**
 * Reads a client's OpenAI chat request into the canonical model, validating as it goes. One instance per
 * request (it collects the dropped features).
 */
final class RequestDecoder {
  /** Written for a tool that declares no parameters: OpenAI's own reading of a missing {@code parameters}. */
  static final String NO_PARAMETERS = "{\"type\":\"object\",\"properties\":{}}";
  private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
  private static final Set<String> COMMON_MESSAGE_FIELDS = Set.of("role", "content");
  private static final Set<String> ASSISTANT_FIELDS =
      Set.of("role", "content", "tool_calls", "reasoning_content", "refusal", "function_call");
  private static final Set<String> TOOL_FIELDS = Set.of("role", "content", "tool_call_id");
  private static final Set<String> FUNCTION_FIELDS = Set.of("name", "description", "parameters", "strict");

  private final Set<String> dropped = new LinkedHashSet<>();

  private RequestDecoder() {}

  static OpenAiChatCodec.Decoded decode(Buffer body) {
    return new RequestDecoder().read(body);
  }

  private OpenAiChatCodec.Decoded read(Buffer body) {
    JsonNode root = parse(body);
    if (!root.isObject()) {
      throw rejected("The request body must be a JSON object, like {\"model\": \"...\", \"messages\": [...]}.", null,
          "invalid_json");
    }
    String model = null;
    JsonNode messagesNode = null;
    JsonNode toolsNode = null;
    JsonNode toolChoiceNode = null;
    Boolean parallel = null;
    Double temperature = null;
    Double topP = null;
    Long seed = null;
    Double presence = null;
    Double frequency = null;
    Integer maxCompletion = null;
    Integer maxTokens = null;
    List<String> stop = List.of();
    OutputFormat format = null;
    String effort = null;
    Map<String, String> metadata = Map.of();
    String user = null;
    String safetyIdentifier = null;
    boolean stream = false;
    JsonNode streamOptions = null;
    int n = 1;

    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      switch (name) {
        case "model" -> {
          if (!v.isString()) throw v.isNull() ? missing("model") : invalidType("model", "a string", v);
          model = v.asString();
        }
        case "messages" -> messagesNode = v;
        case "tools" -> toolsNode = v;
        case "tool_choice" -> toolChoiceNode = v;
        case "parallel_tool_calls" -> parallel = bool(v, name);
        case "temperature" -> temperature = decimal(v, name, 0, 2);
        case "top_p" -> topP = decimal(v, name, 0, 1);
        case "seed" -> seed = integer(v, name, Long.MIN_VALUE, Long.MAX_VALUE);
        case "presence_penalty" -> presence = decimal(v, name, -2, 2);
        case "frequency_penalty" -> frequency = decimal(v, name, -2, 2);
        case "max_completion_tokens" -> maxCompletion = intOrNull(integer(v, name, 1, Integer.MAX_VALUE));
        case "max_tokens" -> maxTokens = intOrNull(integer(v, name, 1, Integer.MAX_VALUE));
        case "stop" -> stop = stop(v);
        case "response_format" -> format = responseFormat(v);
        case "reasoning_effort" -> {
          effort = string(v, name);
          if (effort != null && !EFFORTS.contains(effort)) {
            throw invalidValue(name, "'" + effort + "'. Supported values are: 'none', 'minimal', 'low', 'medium', "
                + "'high' and 'xhigh'.");
          }
        }
        case "metadata" -> metadata = metadata(v);
        case "user" -> user = string(v, name);
        case "safety_identifier" -> safetyIdentifier = string(v, name);
        case "stream" -> stream = Boolean.TRUE.equals(bool(v, name));
        case "stream_options" -> streamOptions = v;
        case "n" -> {
          Long choices = integer(v, name, 1, 128);
          n = choices == null ? 1 : choices.intValue();
        }
        case "functions", "function_call" -> {
          if (!v.isNull()) {
            throw unsupported(name, "legacy function calling is not translated to other providers. Send 'tools' "
                + "and 'tool_choice' instead.");
          }
        }
        // Features the canonical model does not carry: reported, unless the value asks for nothing.
        case "logprobs", "store" -> {
          if (v.isBoolean() && v.booleanValue()) dropped.add(name);
        }
        case "logit_bias" -> {
          if (!v.isNull() && !(v.isObject() && v.isEmpty())) dropped.add(name);
        }
        case "modalities" -> {
          if (!v.isNull() && !(v.isArray() && v.size() == 1 && "text".equals(v.get(0).asString(null)))) {
            dropped.add(name);
          }
        }
        case "service_tier" -> {
          if (!v.isNull() && !"auto".equals(v.asString(null))) dropped.add(name);
        }
        default -> {
          if (!v.isNull()) dropped.add(name); // top_logprobs, audio, prediction, web_search_options, unknown...
        }
      }
    }

    if (model == null) throw missing("model");
    if (model.isBlank()) {
      throw rejected("Invalid 'model': it is empty. Name a model; GET /v1/models lists them.", "model",
          "invalid_value");
    }
    boolean includeUsage = streamOptions(streamOptions, stream);
    if (user == null) user = safetyIdentifier;
    else if (safetyIdentifier != null) dropped.add("safety_identifier");

    Conversation conversation = messages(messagesNode);
    List<ToolDefinition> tools = tools(toolsNode);
    ToolChoice toolChoice = toolChoice(toolChoiceNode);
    Sampling sampling = new Sampling(temperature, topP, null, seed, presence, frequency);
    ReasoningConfig reasoning = effort == null ? null : new ReasoningConfig(effort, null);
    ChatRequest request = new ChatRequest(model, conversation.system, conversation.messages, tools, toolChoice,
        parallel, sampling, maxCompletion != null ? maxCompletion : maxTokens, stop, format, reasoning, metadata,
        user, stream, n);
    return new OpenAiChatCodec.Decoded(request, includeUsage, List.copyOf(dropped));
  }

  private static JsonNode parse(Buffer body) {
    ByteArrays.View view = ByteArrays.view(body);
    try {
      return Json.MAPPER.readTree(view.array(), view.offset(), body.length());
    } catch (JacksonException e) {
      TokenStreamLocation loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      throw rejected("We could not parse the JSON body of your request: " + e.getOriginalMessage() + where
          + ". Send a valid JSON object with Content-Type: application/json.", null, "invalid_json");
    }
  }

  // ---------------------------------------------------------------- messages

  private record Conversation(List<Part.Text> system, List<Message> messages) {}

  private Conversation messages(JsonNode node) {
    if (node == null || node.isNull()) throw missing("messages");
    if (!node.isArray()) throw invalidType("messages", "an array", node);
    if (node.isEmpty()) throw emptyArray("messages");
    List<Part.Text> system = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    List<Part> toolResults = new ArrayList<>(); // role:tool messages not yet joined to a user turn
    Map<String, String> toolNames = new HashMap<>(); // call id -> tool name, from earlier assistant turns
    for (int i = 0; i < node.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = node.get(i);
      if (!m.isObject()) throw invalidType(at, "an object", m);
      JsonNode roleNode = m.get("role");
      if (roleNode == null || roleNode.isNull()) throw missing(at + ".role");
      if (!roleNode.isString()) throw invalidType(at + ".role", "a string", roleNode);
      String role = roleNode.asString();
      switch (role) {
        case "system", "developer" -> {
          dropUnknown(m, COMMON_MESSAGE_FIELDS);
          system.addAll(textContent(m.get("content"), at + ".content"));
        }
        case "user" -> {
          dropUnknown(m, COMMON_MESSAGE_FIELDS);
          List<Part> parts = new ArrayList<>(toolResults); // results first, then what the user adds
          toolResults.clear();
          parts.addAll(userContent(m.get("content"), at + ".content"));
          messages.add(new Message(Role.USER, parts));
        }
        case "assistant" -> {
          flush(toolResults, messages);
          dropUnknown(m, ASSISTANT_FIELDS);
          messages.add(new Message(Role.ASSISTANT, assistant(m, at, toolNames)));
        }
        case "tool" -> {
          dropUnknown(m, TOOL_FIELDS);
          toolResults.add(toolResult(m, at, toolNames));
        }
        case "function" -> throw unsupported(at + ".role", "legacy function messages are not translated to other "
            + "providers. Answer tool calls with role 'tool' messages instead.");
        default -> throw invalidValue(at + ".role", "'" + role + "'. Supported values are: 'system', 'developer', "
            + "'user', 'assistant' and 'tool'.");
      }
    }
    flush(toolResults, messages);
    if (messages.isEmpty()) {
      throw rejected("Invalid 'messages': it holds only system or developer messages. Add at least one user "
          + "message; other providers need one to answer.", "messages", "invalid_value");
    }
    return new Conversation(system, messages);
  }

  private static void flush(List<Part> toolResults, List<Message> messages) {
    if (toolResults.isEmpty()) return;
    messages.add(new Message(Role.USER, toolResults));
    toolResults.clear();
  }

  /** Reports the fields of a message that the canonical model does not carry ({@code name}, {@code audio}...). */
  private void dropUnknown(JsonNode message, Set<String> known) {
    for (Map.Entry<String, JsonNode> f : message.properties()) {
      if (!known.contains(f.getKey()) && !f.getValue().isNull()) dropped.add("messages[]." + f.getKey());
    }
  }

  /** A system, developer or tool message's content: a string or an array of text parts. */
  private static List<Part.Text> textContent(JsonNode content, String at) {
    if (content == null || content.isNull()) throw missing(at);
    if (content.isString()) return List.of(Part.Text.of(content.asString()));
    if (!content.isArray()) throw invalidType(at, "one of a string or array of objects", content);
    if (content.isEmpty()) throw emptyArray(at);
    List<Part.Text> out = new ArrayList<>(content.size());
    for (int j = 0; j < content.size(); j++) {
      String pat = at + "[" + j + "]";
      JsonNode part = content.get(j);
      String type = partType(part, pat);
      if (!"text".equals(type)) {
        throw invalidValue(pat + ".type", "'" + type + "'. Supported values are: 'text'.");
      }
      out.add(Part.Text.of(requiredString(part, "text", pat)));
    }
    return out;
  }

  private List<Part> userContent(JsonNode content, String at) {
    if (content == null || content.isNull()) throw missing(at);
    if (content.isString()) return List.of(Part.Text.of(content.asString()));
    if (!content.isArray()) throw invalidType(at, "one of a string or array of objects", content);
    if (content.isEmpty()) throw emptyArray(at);
    List<Part> out = new ArrayList<>(content.size());
    for (int j = 0; j < content.size(); j++) {
      String pat = at + "[" + j + "]";
      JsonNode part = content.get(j);
      String type = partType(part, pat);
      switch (type) {
        case "text" -> out.add(Part.Text.of(requiredString(part, "text", pat)));
        case "image_url" -> out.add(image(part, pat));
        case "input_audio", "file" -> dropped.add("messages[].content[]." + type);
        default -> throw invalidValue(pat + ".type", "'" + type + "'. Supported values are: 'text', 'image_url', "
            + "'input_audio' and 'file'.");
      }
    }
    if (out.isEmpty()) {
      throw unsupported(at, "only its text and image_url parts can be sent to other providers, and it has none.");
    }
    return out;
  }

  private Part.Image image(JsonNode part, String at) {
    JsonNode image = part.get("image_url");
    if (image == null || image.isNull()) throw missing(at + ".image_url");
    if (!image.isObject()) throw invalidType(at + ".image_url", "an object", image);
    String url = requiredString(image, "url", at + ".image_url");
    JsonNode detail = image.get("detail");
    if (detail != null && !detail.isNull() && !"auto".equals(detail.asString(null))) {
      dropped.add("messages[].content[].image_url.detail");
    }
    if (!url.regionMatches(true, 0, "data:", 0, 5)) return new Part.Image(null, null, url, null);
    int comma = url.indexOf(',');
    String header = comma < 0 ? "" : url.substring(5, comma);
    if (comma < 0 || !header.regionMatches(true, header.length() - 7, ";base64", 0, 7)) {
      throw invalidValue(at + ".image_url.url", "a data URL must be base64, like 'data:image/png;base64,iVBOR...'.");
    }
    int semicolon = header.indexOf(';');
    String mediaType = header.substring(0, semicolon).trim();
    if (mediaType.isEmpty()) {
      throw invalidValue(at + ".image_url.url", "the data URL names no media type, like 'data:image/png;base64,...'.");
    }
    return new Part.Image(mediaType, url.substring(comma + 1), null, null);
  }

  private List<Part> assistant(JsonNode m, String at, Map<String, String> toolNames) {
    JsonNode legacy = m.get("function_call");
    if (legacy != null && !legacy.isNull()) {
      throw unsupported(at + ".function_call", "legacy function calls are not translated to other providers. Use "
          + "'tool_calls' instead.");
    }
    List<Part> parts = new ArrayList<>();
    JsonNode reasoning = m.get("reasoning_content");
    if (reasoning != null && !reasoning.isNull()) {
      if (!reasoning.isString()) throw invalidType(at + ".reasoning_content", "a string", reasoning);
      if (!reasoning.asString().isEmpty()) parts.add(new Part.Reasoning(reasoning.asString(), null));
    }
    JsonNode content = m.get("content");
    JsonNode calls = m.get("tool_calls");
    boolean hasCalls = calls != null && !calls.isNull();
    if (content == null || content.isNull()) {
      if (!hasCalls) throw missing(at + ".content");
    } else if (content.isString()) {
      parts.add(Part.Text.of(content.asString()));
    } else if (content.isArray()) {
      for (int j = 0; j < content.size(); j++) {
        String pat = at + ".content[" + j + "]";
        JsonNode part = content.get(j);
        String type = partType(part, pat);
        switch (type) {
          case "text" -> parts.add(Part.Text.of(requiredString(part, "text", pat)));
          case "refusal" -> parts.add(Part.Text.of(requiredString(part, "refusal", pat)));
          default -> throw invalidValue(pat + ".type", "'" + type + "'. Supported values are: 'text' and 'refusal'.");
        }
      }
    } else {
      throw invalidType(at + ".content", "one of a string or array of objects", content);
    }
    JsonNode refusal = m.get("refusal");
    if (refusal != null && !refusal.isNull()) {
      if (!refusal.isString()) throw invalidType(at + ".refusal", "a string", refusal);
      parts.add(Part.Text.of(refusal.asString())); // what the model said, even if it said no
    }
    if (hasCalls) {
      if (!calls.isArray()) throw invalidType(at + ".tool_calls", "an array", calls);
      for (int j = 0; j < calls.size(); j++) {
        Part.ToolCall call = toolCall(calls.get(j), at + ".tool_calls[" + j + "]");
        toolNames.put(call.id(), call.name());
        parts.add(call);
      }
    }
    // Clients send content "" next to tool calls: an empty text says nothing, and Anthropic rejects one.
    if (parts.stream().anyMatch(p -> !isEmptyText(p))) parts.removeIf(RequestDecoder::isEmptyText);
    return parts;
  }

  private static boolean isEmptyText(Part p) {
    return p instanceof Part.Text t && t.text().isEmpty();
  }

  private static Part.ToolCall toolCall(JsonNode call, String at) {
    if (!call.isObject()) throw invalidType(at, "an object", call);
    String id = requiredString(call, "id", at);
    JsonNode type = call.get("type");
    if (type != null && !type.isNull() && !"function".equals(type.asString(null))) {
      throw unsupported(at + ".type", "'" + type.asString(type.toString()) + "'. Only 'function' tool calls are "
          + "translated to other providers.");
    }
    JsonNode function = call.get("function");
    if (function == null || function.isNull()) throw missing(at + ".function");
    if (!function.isObject()) throw invalidType(at + ".function", "an object", function);
    String name = requiredString(function, "name", at + ".function");
    String arguments = requiredString(function, "arguments", at + ".function");
    // Models emit "" for a call without arguments; other providers need an object.
    if (arguments.isBlank()) arguments = "{}";
    String problem = JsonText.objectProblem(arguments);
    if (problem != null) {
      throw invalidValue(at + ".function.arguments", "the arguments must be a JSON object encoded as a string, like "
          + "\"{\\\"city\\\": \\\"Paris\\\"}\", but " + problem + ".");
    }
    return new Part.ToolCall(id, name, arguments, null);
  }

  private static Part.ToolResult toolResult(JsonNode m, String at, Map<String, String> toolNames) {
    String id = requiredString(m, "tool_call_id", at);
    List<Part> content = new ArrayList<>(textContent(m.get("content"), at + ".content"));
    return new Part.ToolResult(id, toolNames.get(id), content, false, null);
  }

  private static String partType(JsonNode part, String at) {
    if (!part.isObject()) throw invalidType(at, "an object", part);
    return requiredString(part, "type", at);
  }

  // ---------------------------------------------------------------- tools

  private List<ToolDefinition> tools(JsonNode node) {
    if (node == null || node.isNull()) return List.of();
    if (!node.isArray()) throw invalidType("tools", "an array", node);
    List<ToolDefinition> out = new ArrayList<>(node.size());
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = node.get(i);
      if (!tool.isObject()) throw invalidType(at, "an object", tool);
      String type = requiredString(tool, "type", at);
      if (!"function".equals(type)) {
        throw unsupported(at + ".type", "'" + type + "'. Only 'function' tools are translated to other providers.");
      }
      JsonNode function = tool.get("function");
      if (function == null || function.isNull()) throw missing(at + ".function");
      if (!function.isObject()) throw invalidType(at + ".function", "an object", function);
      String name = requiredString(function, "name", at + ".function");
      if (name.isEmpty()) throw invalidValue(at + ".function.name", "it is empty. Name the function.");
      if (!names.add(name)) {
        throw invalidValue(at + ".function.name", "'" + name + "' is declared twice; tool names must be unique.");
      }
      String description = string(function.get("description"), at + ".function.description");
      JsonNode parameters = function.get("parameters");
      String schema;
      if (parameters == null || parameters.isNull()) {
        schema = NO_PARAMETERS;
      } else if (parameters.isObject()) {
        schema = Json.MAPPER.writeValueAsString(parameters);
      } else {
        throw invalidType(at + ".function.parameters", "an object", parameters);
      }
      Boolean strict = bool(function.get("strict"), at + ".function.strict");
      for (String f : function.propertyNames()) {
        if (!FUNCTION_FIELDS.contains(f) && !function.get(f).isNull()) {
          dropped.add("tools[].function." + f);
        }
      }
      out.add(new ToolDefinition(name, description, schema, Boolean.TRUE.equals(strict), null));
    }
    return out;
  }

  private static ToolChoice toolChoice(JsonNode node) {
    if (node == null || node.isNull()) return null;
    if (node.isString()) {
      return switch (node.asString()) {
        case "none" -> ToolChoice.NONE;
        case "auto" -> ToolChoice.AUTO;
        case "required" -> ToolChoice.ANY;
        default -> throw invalidValue("tool_choice", "'" + node.asString() + "'. Supported values are: 'none', "
            + "'auto', 'required', or {\"type\": \"function\", \"function\": {\"name\": \"...\"}}.");
      };
    }
    if (!node.isObject()) throw invalidType("tool_choice", "one of a string or object", node);
    String type = requiredString(node, "type", "tool_choice");
    if (!"function".equals(type)) {
      throw unsupported("tool_choice.type", "'" + type + "'. Only 'function' is translated to other providers.");
    }
    JsonNode function = node.get("function");
    if (function == null || function.isNull()) throw missing("tool_choice.function");
    if (!function.isObject()) throw invalidType("tool_choice.function", "an object", function);
    return new ToolChoice.Named(requiredString(function, "name", "tool_choice.function"));
  }

  // ---------------------------------------------------------------- the rest

  private static List<String> stop(JsonNode v) {
    if (v == null || v.isNull()) return List.of();
    if (v.isString()) return List.of(v.asString());
    if (!v.isArray()) throw invalidType("stop", "one of a string or array of strings", v);
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode s = v.get(i);
      if (!s.isString()) throw invalidType("stop[" + i + "]", "a string", s);
      out.add(s.asString());
    }
    return out;
  }

  private OutputFormat responseFormat(JsonNode v) {
    if (v == null || v.isNull()) return null;
    if (!v.isObject()) throw invalidType("response_format", "an object", v);
    String type = requiredString(v, "type", "response_format");
    return switch (type) {
      case "text" -> null;
      case "json_object" -> new OutputFormat.JsonObject();
      case "json_schema" -> {
        JsonNode js = v.get("json_schema");
        if (js == null || js.isNull()) throw missing("response_format.json_schema");
        if (!js.isObject()) throw invalidType("response_format.json_schema", "an object", js);
        String name = string(js.get("name"), "response_format.json_schema.name");
        JsonNode schema = js.get("schema");
        if (schema == null || schema.isNull()) throw missing("response_format.json_schema.schema");
        if (!schema.isObject()) throw invalidType("response_format.json_schema.schema", "an object", schema);
        Boolean strict = bool(js.get("strict"), "response_format.json_schema.strict");
        JsonNode description = js.get("description");
        if (description != null && !description.isNull()) dropped.add("response_format.json_schema.description");
        yield new OutputFormat.JsonSchema(name, Json.MAPPER.writeValueAsString(schema), Boolean.TRUE.equals(strict));
      }
      default -> throw invalidValue("response_format.type", "'" + type + "'. Supported values are: 'text', "
          + "'json_object' and 'json_schema'.");
    };
  }

  private static Map<String, String> metadata(JsonNode v) {
    if (v == null || v.isNull()) return Map.of();
    if (!v.isObject()) throw invalidType("metadata", "an object", v);
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isString()) throw invalidType("metadata." + e.getKey(), "a string", e.getValue());
      out.put(e.getKey(), e.getValue().asString());
    }
    return out;
  }

  private static boolean streamOptions(JsonNode v, boolean stream) {
    if (v == null || v.isNull()) return false;
    if (!stream) {
      throw rejected("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options",
          "invalid_value");
    }
    if (!v.isObject()) throw invalidType("stream_options", "an object", v);
    return Boolean.TRUE.equals(bool(v.get("include_usage"), "stream_options.include_usage"));
  }

  private static String requiredString(JsonNode obj, String field, String at) {
    JsonNode v = obj.get(field);
    String path = at + "." + field;
    if (v == null || v.isNull()) throw missing(path);
    if (!v.isString()) throw invalidType(path, "a string", v);
    return v.asString();
  }

  private static String string(JsonNode v, String field) {
    if (v == null || v.isNull()) return null;
    if (!v.isString()) throw invalidType(field, "a string", v);
    return v.asString();
  }

  private static Boolean bool(JsonNode v, String field) {
    if (v == null || v.isNull()) return null;
    if (!v.isBoolean()) throw invalidType(field, "a boolean", v);
    return v.booleanValue();
  }

  private static Double decimal(JsonNode v, String field, double min, double max) {
    if (v == null || v.isNull()) return null;
    if (!v.isNumber()) throw invalidType(field, "a number", v);
    double d = v.doubleValue();
    if (d < min) throw outOfRange(field, false, false, plain(min), v);
    if (d > max) throw outOfRange(field, false, true, plain(max), v);
    return d;
  }

  private static Long integer(JsonNode v, String field, long min, long max) {
    if (v == null || v.isNull()) return null;
    if (!v.isIntegralNumber()) throw invalidType(field, "an integer", v);
    if (!v.canConvertToLong()) {
      boolean above = v.bigIntegerValue().signum() > 0;
      throw outOfRange(field, true, above, Long.toString(above ? max : min), v);
    }
    long l = v.longValue();
    if (l < min) throw outOfRange(field, true, false, Long.toString(min), v);
    if (l > max) throw outOfRange(field, true, true, Long.toString(max), v);
    return l;
  }

  private static Integer intOrNull(Long l) {
    return l == null ? null : l.intValue();
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
