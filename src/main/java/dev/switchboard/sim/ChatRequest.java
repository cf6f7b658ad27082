package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A validated chat request, reduced to what the simulator acts on: {@link #parse} reads an OpenAI
 * {@code POST /v1/chat/completions} body, and the other protocols' parsers ({@link MessagesRequest}) build the same
 * record, so {@link ChatAnswer} plans every protocol's answers alike. Validation errors are thrown as
 * {@link ApiError}s naming the offending field in {@code param}.
 *
 * <p>Prompt tokens are counted by {@link Prompt}: cl100k tokens of every message's text (content strings, text parts,
 * assistant tool call arguments, tool results) + 3 per message + 3, the usual approximation of OpenAI's chat framing,
 * plus the offered tools' names and schemas.
 *
 * @param parallelToolCalls false if the client asked for at most one tool call (OpenAI
 *     {@code parallel_tool_calls: false}, Anthropic {@code disable_parallel_tool_use: true})
 * @param promptHash the seed of the deterministic answers ({@link Prompt#seed})
 * @param cachePrefix the prompt up to the last cache marker, or null if the request marks none
 * @param systemText the system prompt (every system part joined with newlines), or null if there is none
 * @param lastUserText the text of the last user message
 * @param lastUserImages the media types of the images in the last user message, in order ({@code url} for an image
 *     given by URL)
 * @param lastRole the role of the last message, as OpenAI names it ({@code tool} after tool results)
 * @param lastToolResults the tool results of the last turn, in order; empty unless the conversation ends with them
 * @param prefill the text of a final assistant message the answer must continue (Anthropic and Converse always;
 *     OpenAI with vLLM's {@code continue_final_message}), or null; {@code promptHash} is then the conversation's
 *     without it, so that the answer is the one the conversation without it gets
 */
record ChatRequest(String model, boolean stream, boolean includeUsage, int n, int maxTokens, List<String> stops,
    List<Tool> tools, ToolChoice toolChoice, String forcedTool, boolean parallelToolCalls, Format format,
    JsonNode schema, int promptTokens, long promptHash, Prompt.CachePrefix cachePrefix, String systemText,
    String lastUserText, List<String> lastUserImages, String lastRole, List<String> lastToolResults,
    String prefill) {

  enum ToolChoice { AUTO, NONE, REQUIRED, NAMED }

  enum Format { TEXT, JSON_OBJECT, JSON_SCHEMA }

  record Tool(String name, JsonNode parameters) {}

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  /** The same request, streamed or not: Bedrock says which in the path, not in the body. */
  ChatRequest withStream(boolean streamed) {
    return new ChatRequest(model, streamed, includeUsage, n, maxTokens, stops, tools, toolChoice, forcedTool,
        parallelToolCalls, format, schema, promptTokens, promptHash, cachePrefix, systemText, lastUserText,
        lastUserImages, lastRole, lastToolResults, prefill);
  }

  /** The text of the conversation's final assistant message, when it follows another message; else null. */
  static String prefillOf(List<Prompt.Message> conversation) {
    Prompt.Message last = conversation.getLast();
    return conversation.size() > 1 && last.role().equals("assistant") && !last.text().isEmpty() ? last.text() : null;
  }

  /** The answer seed of the conversation without its prefill, if it has one. */
  static long seedWithout(String prefill, List<Prompt.Message> conversation) {
    return Prompt.seed(prefill == null ? conversation : conversation.subList(0, conversation.size() - 1));
  }

  /** Reads the body's model (or {@code ""}) without validating anything, for ledger entries of rejected requests. */
  static String modelOf(JsonNode root) {
    JsonNode m = root == null ? null : root.get("model");
    return m != null && m.isString() ? m.stringValue() : "";
  }

  static boolean streamOf(JsonNode root) {
    JsonNode s = root == null ? null : root.get("stream");
    return s != null && s.isBoolean() && s.booleanValue();
  }

  static String requireModel(JsonNode root, List<String> served) {
    JsonNode m = root.get("model");
    if (m == null || m.isNull() || (m.isString() && m.stringValue().isEmpty())) {
      throw ApiError.invalid("model", "you must provide a model parameter");
    }
    if (!m.isString()) throw ApiError.invalidType("model", "a string");
    if (!served.contains(m.stringValue())) throw ApiError.modelNotFound(m.stringValue());
    return m.stringValue();
  }

  static ChatRequest parse(JsonNode root, List<String> served) {
    if (!root.isObject()) throw ApiError.invalid(null, "The request body must be a JSON object.");
    String model = requireModel(root, served);

    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      throw new ApiError(400, "invalid_request_error", "Missing required parameter: 'messages'.", "messages",
          "missing_required_parameter");
    }
    if (!messages.isArray()) throw ApiError.invalidType("messages", "an array");
    if (messages.isEmpty()) {
      throw new ApiError(400, "invalid_request_error", "Invalid 'messages': empty array. Expected an array with minimum "
          + "length 1, but got an empty array instead.", "messages", "empty_array");
    }
    List<Prompt.Message> prompt = new ArrayList<>(messages.size());
    List<String> system = new ArrayList<>();
    List<String> toolResults = new ArrayList<>();
    List<String> lastUserImages = List.of();
    String lastUserText = "";
    String lastRole = "";
    for (int i = 0; i < messages.size(); i++) {
      JsonNode msg = messages.get(i);
      String at = "messages[" + i + "]";
      if (!msg.isObject()) throw ApiError.invalidType(at, "an object");
      JsonNode roleNode = msg.get("role");
      if (roleNode == null || roleNode.isNull()) throw missing(at + ".role");
      if (!roleNode.isString() || !ROLES.contains(roleNode.stringValue())) {
        throw ApiError.invalid(at + ".role", "Invalid value: '" + roleNode.asString() + "'. Supported values are: "
            + "'system', 'developer', 'user', 'assistant', 'tool', and 'function'.");
      }
      String role = roleNode.stringValue();
      List<String> images = new ArrayList<>();
      String text = text(msg.get("content"), at + ".content", !role.equals("assistant"), images);
      StringBuilder all = new StringBuilder(text);
      JsonNode calls = msg.get("tool_calls");
      if (role.equals("assistant") && calls != null && !calls.isNull()) {
        if (!calls.isArray()) throw ApiError.invalidType(at + ".tool_calls", "an array");
        for (JsonNode call : calls) all.append(call.path("function").path("arguments").asString(""));
      }
      if (role.equals("tool")) {
        JsonNode id = msg.get("tool_call_id");
        if (id == null || !id.isString()) throw missing(at + ".tool_call_id");
        toolResults.add(text);
      } else {
        toolResults.clear(); // only the results after the last other message answer the last tool calls
      }
      prompt.add(new Prompt.Message(role, all.toString()));
      if (role.equals("system") || role.equals("developer")) system.add(text);
      if (role.equals("user")) {
        lastUserText = text;
        lastUserImages = List.copyOf(images);
      }
      lastRole = role;
    }

    boolean stream = optBoolean(root, "stream");
    JsonNode so = root.get("stream_options");
    boolean includeUsage = false;
    if (so != null && !so.isNull()) {
      if (!stream) {
        throw ApiError.invalid("stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
      }
      if (!so.isObject()) throw ApiError.invalidType("stream_options", "an object");
      includeUsage = optBoolean(so, "include_usage");
    }

    int n = optInt(root, "n", 1);
    if (n < 1 || n > 128) throw ApiError.invalid("n", n + " is not in the allowed range 1..128 - 'n'");
    int maxTokens = Integer.MAX_VALUE;
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) { // the newer field wins if both are set
      int v = optInt(root, field, Integer.MAX_VALUE);
      if (v < 1) throw ApiError.invalid(field, "Invalid '" + field + "': integer below minimum value. Expected a "
          + "value >= 1, but got " + v + " instead.");
      if (root.hasNonNull(field)) maxTokens = v;
    }

    List<String> stops = new ArrayList<>();
    JsonNode stop = root.get("stop");
    if (stop != null && !stop.isNull()) {
      if (stop.isString()) {
        stops.add(stop.stringValue());
      } else if (stop.isArray() && stop.size() <= 4) {
        for (JsonNode s : stop) {
          if (!s.isString()) throw ApiError.invalidType("stop", "a string or an array of up to 4 strings");
          stops.add(s.stringValue());
        }
      } else {
        throw ApiError.invalidType("stop", "a string or an array of up to 4 strings");
      }
      stops.removeIf(String::isEmpty);
    }

    List<Tool> tools = new ArrayList<>();
    JsonNode toolsNode = root.get("tools");
    if (toolsNode != null && !toolsNode.isNull()) {
      if (!toolsNode.isArray()) throw ApiError.invalidType("tools", "an array");
      for (int i = 0; i < toolsNode.size(); i++) {
        JsonNode t = toolsNode.get(i);
        String at = "tools[" + i + "]";
        String type = t.path("type").asString("");
        if (type.equals("custom")) continue; // free-form tools exist, but the simulator only calls functions
        if (!type.equals("function")) {
          throw ApiError.invalid(at + ".type", "Invalid value: '" + type + "'. Supported values are: 'function' and "
              + "'custom'.");
        }
        JsonNode name = t.path("function").get("name");
        if (name == null || !name.isString() || name.stringValue().isEmpty()) throw missing(at + ".function.name");
        tools.add(new Tool(name.stringValue(), t.path("function").get("parameters")));
      }
    }

    ToolChoice choice = ToolChoice.AUTO;
    String forced = null;
    JsonNode ptc = root.get("parallel_tool_calls");
    if (ptc != null && !ptc.isNull() && !ptc.isBoolean()) {
      throw ApiError.invalidType("parallel_tool_calls", "a boolean");
    }
    boolean parallel = ptc == null || ptc.isNull() || ptc.booleanValue();
    JsonNode tc = root.get("tool_choice");
    if (tc != null && !tc.isNull()) {
      if (toolsNode == null || toolsNode.isNull() || toolsNode.isEmpty()) {
        throw ApiError.invalid("tool_choice",
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
      }
      if (tc.isString()) {
        choice = switch (tc.stringValue()) {
          case "auto" -> ToolChoice.AUTO;
          case "none" -> ToolChoice.NONE;
          case "required" -> ToolChoice.REQUIRED;
          default -> throw ApiError.invalid("tool_choice", "Invalid value: '" + tc.stringValue()
              + "'. Supported values are: 'none', 'auto', and 'required'.");
        };
      } else if (tc.isObject() && tc.path("type").asString("").equals("function")) {
        forced = tc.path("function").path("name").asString("");
        String wanted = forced;
        if (tools.stream().noneMatch(t -> t.name().equals(wanted))) {
          throw ApiError.invalid("tool_choice", "Invalid value for 'tool_choice': function '" + forced
              + "' is not among the functions in 'tools'.");
        }
        choice = ToolChoice.NAMED;
      } else if (!tc.isObject()) {
        throw ApiError.invalidType("tool_choice", "a string or an object");
      } // allowed_tools and custom choices: behave as auto
    }

    Format format = Format.TEXT;
    JsonNode schema = null;
    JsonNode rf = root.get("response_format");
    if (rf != null && !rf.isNull()) {
      String type = rf.path("type").asString("");
      switch (type) {
        case "text" -> format = Format.TEXT;
        case "json_object" -> format = Format.JSON_OBJECT;
        case "json_schema" -> {
          JsonNode js = rf.get("json_schema");
          if (js == null || !js.isObject()) throw missing("response_format.json_schema");
          if (!js.path("name").isString()) throw missing("response_format.json_schema.name");
          format = Format.JSON_SCHEMA;
          schema = js.get("schema");
        }
        default -> throw ApiError.invalid("response_format.type", "Invalid value: '" + type
            + "'. Supported values are: 'text', 'json_object', and 'json_schema'.");
      }
    }

    String systemText = system.isEmpty() ? null : String.join("\n", system);
    // The OpenAI API answers a final assistant message anew; vLLM continues it when asked to.
    String prefill = optBoolean(root, "continue_final_message") ? prefillOf(prompt) : null;
    return new ChatRequest(model, stream, includeUsage, n, maxTokens, List.copyOf(stops), List.copyOf(tools), choice,
        forced, parallel, format, schema, Prompt.tokens(tools, prompt), seedWithout(prefill, prompt), null,
        systemText, lastUserText, lastUserImages, lastRole, List.copyOf(toolResults), prefill);
  }

  /**
   * The text of a message's content: a string, or the text parts of an array joined with newlines. Adds the media
   * type of each {@code image_url} part to {@code images}: a {@code data:} URL's own, else {@code url}.
   */
  private static String text(JsonNode content, String at, boolean required, List<String> images) {
    if (content == null || content.isNull()) {
      if (required) throw missing(at);
      return "";
    }
    if (content.isString()) return content.stringValue();
    if (!content.isArray()) throw ApiError.invalidType(at, "a string or an array of content parts");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      if (!part.isObject()) throw ApiError.invalidType(at + "[" + i + "]", "an object");
      String type = part.path("type").asString("");
      if (type.equals("text")) {
        if (!part.path("text").isString()) throw missing(at + "[" + i + "].text");
        if (!sb.isEmpty()) sb.append('\n');
        sb.append(part.get("text").stringValue());
      } else if (type.equals("image_url")) {
        JsonNode url = part.path("image_url").get("url");
        if (url == null || !url.isString()) throw missing(at + "[" + i + "].image_url.url");
        images.add(mediaType(url.stringValue()));
      } else if (type.isEmpty()) {
        throw missing(at + "[" + i + "].type");
      }
    }
    return sb.toString();
  }

  /** {@code data:image/png;base64,…} → {@code image/png}; any other URL → {@code url}. */
  static String mediaType(String url) {
    if (!url.regionMatches(true, 0, "data:", 0, 5)) return "url";
    int end = 5;
    while (end < url.length() && url.charAt(end) != ';' && url.charAt(end) != ',') end++;
    String type = url.substring(5, end);
    return type.isEmpty() ? "text/plain" : type; // RFC 2397's default
  }

  private static ApiError missing(String param) {
    return new ApiError(400, "invalid_request_error", "Missing required parameter: '" + param + "'.", param,
        "missing_required_parameter");
  }

  private static boolean optBoolean(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw ApiError.invalidType(field, "a boolean");
    return v.booleanValue();
  }

  private static int optInt(JsonNode obj, String field, int dflt) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.invalidType(field, "an integer");
    return v.intValue();
  }
}
