package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates an Anthropic {@code POST /v1/messages} body (PROTOCOLS.md 2.2, 2.5) and reduces it to the
 * {@link ChatRequest} the OpenAI side uses, so both protocols get the same deterministic answers from
 * {@link ChatAnswer}. Errors are thrown as Anthropic-typed {@link ApiError}s whose message starts with the offending
 * field's dotted path, the way Anthropic words them ({@code messages.1.content.0.tool_use_id: ...}).
 *
 * <p>The conversation is read as the OpenAI message list a translating gateway would have sent: the top-level
 * {@code system} and any {@code system} message become system messages; each {@code tool_result} block becomes a
 * {@code tool} message (before the rest of its user message, as Anthropic requires); an assistant message's text and
 * the JSON of its {@code tool_use} inputs form one assistant message. Prompt tokens and the answer seed are computed
 * from that list exactly as {@link ChatRequest} does (cl100k tokens + 3 per message + 3), so a conversation gets the
 * same usage and the same filler words from either protocol. A last user message holding tool results counts as
 * "after a tool result" even if text follows them, so the answer is text that quotes the results.
 *
 * <p>{@code cache_control} markers (on tools, system blocks and message content blocks, also inside a
 * {@code tool_result}; at most 4) make the prompt up to the last marked block, in Anthropic's order tools → system →
 * messages, the request's {@link Prompt.CachePrefix}. A marked block in the middle of a message cuts that message's
 * text after the block.
 *
 * <p>Strict where a translating gateway could go wrong, as the real API is: unknown top-level fields, unknown content
 * block types, {@code tool_use} outside assistant messages, {@code tool_result} outside user messages or after other
 * content, and unpaired tool ids are all 400s. Version {@code 2026-10-21} also rejects {@code temperature},
 * {@code top_p} and {@code top_k}, documents in assistant messages and citations in user text (PROTOCOLS.md 2.1).
 */
final class MessagesRequest {
  static final String V2023 = "2023-06-01";
  static final String V2026 = "2026-10-21";
  static final Set<String> VERSIONS = Set.of(V2023, V2026);

  /** The top-level fields of the Messages API (both versions, as the SDKs of either send them). */
  private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "system", "metadata",
      "stop_sequences", "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier",
      "container", "context_management", "mcp_servers", "output_config", "output_format", "inference_geo",
      "diagnostics", "speed", "cache_control");
  private static final Set<String> SAMPLING = Set.of("temperature", "top_p", "top_k");
  /** Content block types a request may carry (anthropic-java 3.14 {@code ContentBlockParam} plus MCP blocks). */
  private static final Set<String> BLOCK_TYPES = new LinkedHashSet<>(List.of("text", "image", "document",
      "search_result", "thinking", "redacted_thinking", "tool_use", "tool_result", "server_tool_use",
      "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
      "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result",
      "container_upload", "tool_reference", "mcp_tool_use", "mcp_tool_result"));
  private static final Pattern TOOL_ID = Pattern.compile("[a-zA-Z0-9_-]+");
  private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,128}");
  private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
  private static final Set<String> CACHE_TTLS = Set.of("5m", "1h");
  private static final int MAX_CACHE_MARKERS = 4;

  /** The {@code anthropic_version} an InvokeModel body for an Anthropic model on Bedrock carries. */
  static final String BEDROCK_VERSION = "bedrock-2023-05-31";

  private MessagesRequest() {}

  /** Validates a block's {@code cache_control} and counts it in {@code marks}; true if the block carries one. */
  private static boolean marked(JsonNode block, String at, CacheMarks marks) {
    JsonNode cc = block.get("cache_control");
    if (cc == null || cc.isNull()) return false;
    if (!cc.isObject()) throw AnthropicErrors.invalid(at + ".cache_control: Input should be a valid dictionary");
    if (!cc.path("type").asString("").equals("ephemeral")) {
      throw AnthropicErrors.invalid(at + ".cache_control.type: Input should be 'ephemeral'");
    }
    JsonNode ttl = cc.get("ttl");
    if (ttl != null && !ttl.isNull() && !(ttl.isString() && CACHE_TTLS.contains(ttl.stringValue()))) {
      throw AnthropicErrors.invalid(at + ".cache_control.ephemeral.ttl: Input should be '5m' or '1h'");
    }
    marks.add();
    return true;
  }

  /** A system prompt's text, and its length up to the end of the last marked block (-1: none marked). */
  private record SystemPrompt(String text, int markedLength) {}

  /** Parses a {@code /v1/messages} body; {@code max_tokens} is required. */
  static ChatRequest parse(JsonNode root, List<String> served, String version) {
    return parse(root, served, version, true);
  }

  /**
   * Parses an InvokeModel body for an Anthropic model on Bedrock (PROTOCOLS.md 3.5): the Messages body with
   * {@code "anthropic_version":"bedrock-2023-05-31"} (and optionally {@code anthropic_beta}), without {@code model},
   * which the path names, and without {@code stream}, which the operation decides; otherwise validated as the
   * {@value #V2023} Messages API. Errors are Anthropic-typed, as for {@link #parse(JsonNode, List, String)}.
   *
   * @param model the served model id from the path
   */
  static ChatRequest parseBedrock(JsonNode root, String model, List<String> served) {
    if (!(root instanceof ObjectNode body)) throw AnthropicErrors.invalid("body: Input should be a valid dictionary");
    JsonNode version = body.get("anthropic_version");
    if (version == null || version.isNull()) throw AnthropicErrors.invalid("anthropic_version: Field required");
    if (!version.asString("").equals(BEDROCK_VERSION)) {
      throw AnthropicErrors.invalid("anthropic_version: Input should be '" + BEDROCK_VERSION + "'");
    }
    for (String field : List.of("model", "stream")) {
      if (body.has(field)) throw AnthropicErrors.invalid(field + ": Extra inputs are not permitted");
    }
    JsonNode beta = body.get("anthropic_beta");
    if (beta != null && !beta.isNull() && !beta.isArray()) {
      throw AnthropicErrors.invalid("anthropic_beta: Input should be a valid list");
    }
    ObjectNode messages = body.deepCopy();
    messages.remove(List.of("anthropic_version", "anthropic_beta"));
    messages.put("model", model);
    return parse(messages, served, V2023);
  }

  /** Parses a {@code /v1/messages/count_tokens} body (no {@code max_tokens}) and returns its input tokens. */
  static int countTokens(JsonNode root, List<String> served, String version) {
    return parse(root, served, version, false).promptTokens();
  }

  private static ChatRequest parse(JsonNode root, List<String> served, String version, boolean inference) {
    if (!root.isObject()) throw AnthropicErrors.invalid("body: Input should be a valid dictionary");
    for (Map.Entry<String, JsonNode> f : root.properties()) {
      String name = f.getKey();
      if (!FIELDS.contains(name)) {
        throw AnthropicErrors.invalid(name + ": Extra inputs are not permitted");
      }
      if (SAMPLING.contains(name) && version.equals(V2026) && !f.getValue().isNull()) {
        throw AnthropicErrors.invalid(name + ": Extra inputs are not permitted (removed in anthropic-version "
            + V2026 + ")");
      }
    }
    JsonNode modelNode = root.get("model");
    if (modelNode == null || modelNode.isNull()) throw AnthropicErrors.invalid("model: Field required");
    if (!modelNode.isString()) throw AnthropicErrors.invalid("model: Input should be a valid string");
    String model = modelNode.stringValue();
    if (!served.contains(model)) throw AnthropicErrors.modelNotFound(model);

    int maxTokens = Integer.MAX_VALUE;
    if (inference) {
      JsonNode mt = root.get("max_tokens");
      if (mt == null || mt.isNull()) throw AnthropicErrors.invalid("max_tokens: Field required");
      if (!mt.isIntegralNumber() || !mt.canConvertToInt()) {
        throw AnthropicErrors.invalid("max_tokens: Input should be a valid integer");
      }
      maxTokens = mt.intValue();
      if (maxTokens < 1) throw AnthropicErrors.invalid("max_tokens: Input should be greater than or equal to 1");
    }
    range(root, "temperature", 0, 1);
    range(root, "top_p", 0, 1);
    JsonNode topK = root.get("top_k");
    if (topK != null && !topK.isNull() && (!topK.isIntegralNumber() || topK.longValue() < 0)) {
      throw AnthropicErrors.invalid("top_k: Input should be a non-negative integer");
    }

    CacheMarks marks = new CacheMarks();
    List<Prompt.Message> flat = new ArrayList<>();
    List<String> systemParts = new ArrayList<>();
    JsonNode system = root.get("system");
    if (system != null && !system.isNull()) system(systemText(system, "system", marks), flat, systemParts, marks);

    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) throw AnthropicErrors.invalid("messages: Field required");
    if (!messages.isArray()) throw AnthropicErrors.invalid("messages: Input should be a valid list");
    if (messages.isEmpty()) {
      throw AnthropicErrors.invalid("messages: List should have at least 1 item after validation, not 0");
    }
    List<String> lastToolResults = List.of();
    List<String> lastUserImages = List.of();
    Set<String> pendingToolUses = Set.of(); // tool_use ids of the previous assistant message
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages." + i;
      JsonNode msg = messages.get(i);
      if (!msg.isObject()) throw AnthropicErrors.invalid(at + ": Input should be a valid dictionary");
      JsonNode roleNode = msg.get("role");
      if (roleNode == null || roleNode.isNull()) throw AnthropicErrors.invalid(at + ".role: Field required");
      String role = roleNode.asString("");
      if (!roleNode.isString() || !(role.equals("user") || role.equals("assistant") || role.equals("system"))) {
        throw AnthropicErrors.invalid(at + ".role: Input should be 'user', 'assistant' or 'system'");
      }
      JsonNode content = msg.get("content");
      if (content == null || content.isNull()) throw AnthropicErrors.invalid(at + ".content: Field required");
      if (role.equals("system")) {
        system(systemText(content, at + ".content", marks), flat, systemParts, marks);
        pendingToolUses = requireResults(pendingToolUses, Set.of(), i - 1);
        continue;
      }
      Turn<Integer> turn = turn(content, at + ".content", role, version, marks);
      int before = flat.size();
      String text = turn.text.toString();
      if (role.equals("user")) {
        for (Map.Entry<String, Integer> r : turn.toolResultIds.entrySet()) {
          if (!pendingToolUses.contains(r.getKey())) {
            throw AnthropicErrors.invalid(at + ".content." + r.getValue() + ": unexpected `tool_use_id` found in "
                + "`tool_result` blocks: " + r.getKey() + ". Each `tool_result` block must have a corresponding "
                + "`tool_use` block in the previous message.");
          }
        }
        requireResults(pendingToolUses, turn.toolResultIds.keySet(), i - 1);
        pendingToolUses = Set.of();
        for (String result : turn.toolResults) flat.add(new Prompt.Message("tool", result));
        boolean userMessage = turn.toolResults.isEmpty() || turn.hasText;
        if (userMessage) flat.add(new Prompt.Message("user", text, turn.media));
        if (turn.marked) {
          marks.endAt(before + turn.markedResults, turn.markedContent && userMessage
              ? new Prompt.Message("user", text.substring(0, turn.markedText), turn.markedMedia) : null);
        }
        lastToolResults = List.copyOf(turn.toolResults);
        lastUserImages = List.copyOf(turn.images);
      } else {
        requireResults(pendingToolUses, Set.of(), i - 1);
        pendingToolUses = turn.toolUseIds;
        flat.add(new Prompt.Message("assistant", text));
        if (turn.marked) marks.endAt(before, new Prompt.Message("assistant", text.substring(0, turn.markedText)));
        lastToolResults = List.of();
      }
    }

    boolean stream = false;
    JsonNode streamNode = root.get("stream");
    if (streamNode != null && !streamNode.isNull()) {
      if (!streamNode.isBoolean()) throw AnthropicErrors.invalid("stream: Input should be a valid boolean");
      stream = streamNode.booleanValue();
    }
    List<String> stops = stopSequences(root.get("stop_sequences"));
    metadata(root.get("metadata"));
    List<ChatRequest.Tool> tools = tools(root.get("tools"), marks);
    if (marks.count() > MAX_CACHE_MARKERS) {
      throw AnthropicErrors.invalid("A maximum of " + MAX_CACHE_MARKERS + " blocks with cache_control may be "
          + "provided. Found " + marks.count() + ".");
    }
    boolean parallel = true;
    ChatRequest.ToolChoice choice = ChatRequest.ToolChoice.AUTO;
    String forced = null;
    JsonNode tc = root.get("tool_choice");
    if (tc != null && !tc.isNull()) {
      if (!tc.isObject()) throw AnthropicErrors.invalid("tool_choice: Input should be a valid dictionary");
      String type = tc.path("type").asString("");
      choice = switch (type) {
        case "auto" -> ChatRequest.ToolChoice.AUTO;
        case "any" -> ChatRequest.ToolChoice.REQUIRED;
        case "tool" -> ChatRequest.ToolChoice.NAMED;
        case "none" -> ChatRequest.ToolChoice.NONE;
        default -> throw AnthropicErrors.invalid("tool_choice.type: Input tag '" + type + "' found using 'type' does "
            + "not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
      };
      if (choice == ChatRequest.ToolChoice.NAMED) {
        JsonNode name = tc.get("name");
        if (name == null || !name.isString()) throw AnthropicErrors.invalid("tool_choice.tool.name: Field required");
        forced = name.stringValue();
        String wanted = forced;
        if (tools.stream().noneMatch(t -> t.name().equals(wanted))) {
          throw AnthropicErrors.invalid("tool_choice.tool.name: tool '" + forced + "' is not among the tools");
        }
      } else if (choice == ChatRequest.ToolChoice.REQUIRED && tools.isEmpty()) {
        throw AnthropicErrors.invalid("tool_choice: tool_choice type 'any' requires at least one tool in tools");
      }
      JsonNode dp = tc.get("disable_parallel_tool_use");
      if (dp != null && !dp.isNull() && !dp.isBoolean()) {
        throw AnthropicErrors.invalid("tool_choice.disable_parallel_tool_use: Input should be a valid boolean");
      }
      parallel = dp == null || dp.isNull() || !dp.booleanValue();
    }
    thinking(root.get("thinking"), maxTokens);
    ChatRequest.Format format = ChatRequest.Format.TEXT;
    JsonNode schema = null;
    JsonNode oc = root.get("output_config");
    if (oc != null && !oc.isNull()) {
      if (!oc.isObject()) throw AnthropicErrors.invalid("output_config: Input should be a valid dictionary");
      JsonNode fmt = oc.get("format");
      if (fmt != null && !fmt.isNull()) {
        if (!fmt.path("type").asString("").equals("json_schema")) {
          throw AnthropicErrors.invalid("output_config.format.type: Input should be 'json_schema'");
        }
        schema = fmt.get("schema");
        if (schema == null || !schema.isObject()) {
          throw AnthropicErrors.invalid("output_config.format.schema: Field required");
        }
        format = ChatRequest.Format.JSON_SCHEMA;
      }
    }

    int promptTokens = Prompt.tokens(tools, flat);
    Prompt.CachePrefix prefix = marks.prefix(model, tools, flat, promptTokens);
    String lastUserText = "";
    for (Prompt.Message m : flat) if (m.role().equals("user")) lastUserText = m.text();
    String lastRole = !lastToolResults.isEmpty() ? "tool" : flat.getLast().role();
    String systemText = systemParts.isEmpty() ? null : String.join("\n", systemParts);
    String prefill = ChatRequest.prefillOf(flat); // Messages continues a final assistant message
    return new ChatRequest(model, stream, false, 1, maxTokens, stops, tools, choice, forced, parallel, format, schema,
        promptTokens, ChatRequest.seedWithout(prefill, flat), prefix, systemText, lastUserText, lastUserImages,
        lastRole, lastToolResults, prefill);
  }

  /** Adds a system prompt (top-level or a {@code system} message) to the prompt, and its marker if it has one. */
  private static void system(SystemPrompt sp, List<Prompt.Message> flat, List<String> parts, CacheMarks marks) {
    if (sp.markedLength() >= 0) {
      marks.endAt(flat.size(), new Prompt.Message("system", sp.text().substring(0, sp.markedLength())));
    }
    flat.add(new Prompt.Message("system", sp.text()));
    parts.add(sp.text());
  }

  private static Turn<Integer> turn(JsonNode content, String at, String role, String version, CacheMarks marks) {
    Turn<Integer> turn = new Turn<>();
    if (content.isString()) {
      turn.appendText(content.stringValue());
      return turn;
    }
    if (!content.isArray()) throw AnthropicErrors.invalid(at + ": Input should be a valid string or list");
    boolean user = role.equals("user");
    boolean otherContent = false;
    for (int j = 0; j < content.size(); j++) {
      String bat = at + "." + j;
      JsonNode b = content.get(j);
      String type = blockType(b, bat);
      switch (type) {
        case "text" -> {
          turn.appendText(requireString(b, "text", bat));
          JsonNode citations = b.get("citations");
          if (user && version.equals(V2026) && citations != null && citations.isArray() && !citations.isEmpty()) {
            throw AnthropicErrors.invalid(bat + ".citations: text blocks in user messages cannot carry citations in "
                + "anthropic-version " + V2026);
          }
        }
        case "image" -> {
          turn.images.add(imageMediaType(b, bat));
          turn.attach(b.get("source"));
        }
        case "document" -> {
          turn.attach(requireObject(b, "source", bat));
          if (!user && version.equals(V2026)) {
            throw AnthropicErrors.invalid(bat + ": document blocks are not allowed in assistant messages in "
                + "anthropic-version " + V2026);
          }
        }
        case "tool_use" -> {
          if (user) throw AnthropicErrors.invalid(bat + ": tool_use blocks are only allowed in assistant messages");
          String id = requireString(b, "id", bat);
          if (!TOOL_ID.matcher(id).matches()) {
            throw AnthropicErrors.invalid(bat + ".id: String should match pattern '^[a-zA-Z0-9_-]+$'");
          }
          String name = requireString(b, "name", bat);
          JsonNode input = requireObject(b, "input", bat);
          if (!turn.toolUseIds.add(id)) {
            throw AnthropicErrors.invalid(bat + ".id: `tool_use` ids must be unique, found " + id + " twice");
          }
          if (name.isEmpty()) throw AnthropicErrors.invalid(bat + ".name: String should have at least 1 character");
          turn.text.append(Json.MAPPER.writeValueAsString(input)); // as OpenAI's arguments follow the content
        }
        case "tool_result" -> {
          if (!user) throw AnthropicErrors.invalid(bat + ": tool_result blocks are only allowed in user messages");
          if (otherContent) {
            throw AnthropicErrors.invalid(bat + ": tool_result blocks must come before any other content in a user "
                + "message");
          }
          String id = requireString(b, "tool_use_id", bat);
          if (turn.toolResultIds.putIfAbsent(id, j) != null) {
            throw AnthropicErrors.invalid(bat + ".tool_use_id: more than one tool_result for " + id);
          }
          JsonNode isError = b.get("is_error");
          if (isError != null && !isError.isNull() && !isError.isBoolean()) {
            throw AnthropicErrors.invalid(bat + ".is_error: Input should be a valid boolean");
          }
          turn.toolResults.add(resultText(b.get("content"), bat + ".content"));
          boolean marked = marked(b, bat, marks);
          JsonNode inner = b.get("content");
          if (inner != null && inner.isArray()) {
            for (int k = 0; k < inner.size(); k++) marked |= marked(inner.get(k), bat + ".content." + k, marks);
          }
          if (marked) turn.mark(false);
          continue; // not "other content"
        }
        case "thinking" -> {
          requireString(b, "thinking", bat);
          requireString(b, "signature", bat);
        }
        case "redacted_thinking" -> requireString(b, "data", bat);
        default -> { } // server tool blocks and the like carry nothing the simulator reads
      }
      if (marked(b, bat, marks)) turn.mark(true);
      otherContent = true;
    }
    return turn;
  }

  /** The text of a tool result's {@code content}: a string, or its text blocks joined by newlines. */
  private static String resultText(JsonNode content, String at) {
    if (content == null || content.isNull()) return "";
    if (content.isString()) return content.stringValue();
    if (!content.isArray()) throw AnthropicErrors.invalid(at + ": Input should be a valid string or list");
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < content.size(); k++) {
      String bat = at + "." + k;
      JsonNode b = content.get(k);
      String type = blockType(b, bat);
      switch (type) {
        case "text" -> {
          if (!sb.isEmpty()) sb.append('\n');
          sb.append(requireString(b, "text", bat));
        }
        case "image", "document" -> requireObject(b, "source", bat);
        case "search_result", "tool_reference" -> { }
        default -> throw AnthropicErrors.invalid(bat + ".type: Input tag '" + type + "' found using 'type' does not "
            + "match any of the expected tags: 'text', 'image', 'document', 'search_result', 'tool_reference'");
      }
    }
    return sb.toString();
  }

  /** Checks that every id in {@code pending} got a result; returns the empty set. */
  private static Set<String> requireResults(Set<String> pending, Set<String> results, int assistantIndex) {
    if (!results.containsAll(pending)) {
      Set<String> missing = new LinkedHashSet<>(pending);
      missing.removeAll(results);
      throw AnthropicErrors.invalid("messages." + assistantIndex + ": `tool_use` ids were found without "
          + "`tool_result` blocks immediately after: " + String.join(", ", missing) + ". Each `tool_use` block must "
          + "have a corresponding `tool_result` block in the next message.");
    }
    return Set.of();
  }

  private static String blockType(JsonNode b, String at) {
    if (!b.isObject()) throw AnthropicErrors.invalid(at + ": Input should be a valid dictionary");
    JsonNode t = b.get("type");
    if (t == null || !t.isString()) throw AnthropicErrors.invalid(at + ".type: Field required");
    if (!BLOCK_TYPES.contains(t.stringValue())) {
      throw AnthropicErrors.invalid(at + ".type: Input tag '" + t.stringValue() + "' found using 'type' does not "
          + "match any of the expected tags: '" + String.join("', '", BLOCK_TYPES) + "'");
    }
    return t.stringValue();
  }

  /** A system prompt: a string or a list of text blocks (joined with newlines), which may carry cache markers. */
  private static SystemPrompt systemText(JsonNode system, String at, CacheMarks marks) {
    if (system.isString()) return new SystemPrompt(system.stringValue(), -1);
    if (!system.isArray()) throw AnthropicErrors.invalid(at + ": Input should be a valid string or list");
    StringBuilder sb = new StringBuilder();
    int markedLength = -1;
    for (int j = 0; j < system.size(); j++) {
      String bat = at + "." + j;
      JsonNode b = system.get(j);
      if (!b.isObject() || !b.path("type").asString("").equals("text")) {
        throw AnthropicErrors.invalid(bat + ".type: Input should be 'text'");
      }
      if (!sb.isEmpty()) sb.append('\n');
      sb.append(requireString(b, "text", bat));
      if (marked(b, bat, marks)) markedLength = sb.length();
    }
    return new SystemPrompt(sb.toString(), markedLength);
  }

  /** An image block's media type: the base64 source's, {@code url} or {@code file} for those sources. */
  private static String imageMediaType(JsonNode b, String at) {
    JsonNode source = requireObject(b, "source", at);
    String sat = at + ".source";
    String type = source.path("type").asString("");
    switch (type) {
      case "base64" -> {
        String mediaType = requireString(source, "media_type", sat + ".base64");
        if (!IMAGE_TYPES.contains(mediaType)) {
          throw AnthropicErrors.invalid(sat + ".base64.media_type: Input should be 'image/jpeg', 'image/png', "
              + "'image/gif' or 'image/webp'");
        }
        requireString(source, "data", sat + ".base64");
        return mediaType;
      }
      case "url" -> {
        requireString(source, "url", sat + ".url");
        return "url";
      }
      case "file" -> {
        requireString(source, "file_id", sat + ".file");
        return "file";
      }
      default -> throw AnthropicErrors.invalid(sat + ".type: Input tag '" + type + "' found using 'type' does not "
          + "match any of the expected tags: 'base64', 'url', 'file'");
    }
  }

  private static List<String> stopSequences(JsonNode node) {
    List<String> stops = new ArrayList<>();
    if (node == null || node.isNull()) return stops;
    if (!node.isArray()) throw AnthropicErrors.invalid("stop_sequences: Input should be a valid list");
    for (int i = 0; i < node.size(); i++) {
      JsonNode s = node.get(i);
      if (!s.isString()) throw AnthropicErrors.invalid("stop_sequences." + i + ": Input should be a valid string");
      if (!s.stringValue().isEmpty()) stops.add(s.stringValue());
    }
    return List.copyOf(stops);
  }

  private static void metadata(JsonNode node) {
    if (node == null || node.isNull()) return;
    if (!node.isObject()) throw AnthropicErrors.invalid("metadata: Input should be a valid dictionary");
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      if (!f.getKey().equals("user_id")) throw AnthropicErrors.invalid("metadata." + f.getKey() + ": Extra inputs are "
          + "not permitted");
      if (!f.getValue().isNull() && !f.getValue().isString()) {
        throw AnthropicErrors.invalid("metadata.user_id: Input should be a valid string");
      }
    }
  }

  /** Client tools (no {@code type}, or {@code custom}); server tools are accepted and never called. */
  private static List<ChatRequest.Tool> tools(JsonNode node, CacheMarks marks) {
    List<ChatRequest.Tool> tools = new ArrayList<>();
    if (node == null || node.isNull()) return tools;
    if (!node.isArray()) throw AnthropicErrors.invalid("tools: Input should be a valid list");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "tools." + i;
      JsonNode t = node.get(i);
      if (!t.isObject()) throw AnthropicErrors.invalid(at + ": Input should be a valid dictionary");
      String type = t.path("type").asString("custom");
      String name = requireString(t, "name", at);
      if (!names.add(name)) throw AnthropicErrors.invalid("tools: Tool names must be unique, found '" + name + "' twice");
      boolean marked = marked(t, at, marks);
      if (!type.equals("custom")) {
        if (marked) marks.endAtTools(tools.size());
        continue;
      }
      if (!TOOL_NAME.matcher(name).matches()) {
        throw AnthropicErrors.invalid(at + ".custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
      }
      JsonNode schema = t.get("input_schema");
      if (schema == null || schema.isNull()) throw AnthropicErrors.invalid(at + ".custom.input_schema: Field required");
      if (!schema.isObject()) {
        throw AnthropicErrors.invalid(at + ".custom.input_schema: Input should be a valid dictionary");
      }
      JsonNode schemaType = schema.get("type");
      if (schemaType == null || schemaType.isNull()) {
        throw AnthropicErrors.invalid(at + ".custom.input_schema.type: Field required");
      }
      if (!schemaType.asString("").equals("object")) {
        throw AnthropicErrors.invalid(at + ".custom.input_schema.type: Input should be 'object'");
      }
      tools.add(new ChatRequest.Tool(name, schema));
      if (marked) marks.endAtTools(tools.size());
    }
    return List.copyOf(tools);
  }

  private static void thinking(JsonNode node, int maxTokens) {
    if (node == null || node.isNull()) return;
    if (!node.isObject()) throw AnthropicErrors.invalid("thinking: Input should be a valid dictionary");
    String type = node.path("type").asString("");
    switch (type) {
      case "disabled", "adaptive" -> { }
      case "enabled" -> {
        JsonNode budget = node.get("budget_tokens");
        if (budget == null || !budget.isIntegralNumber()) {
          throw AnthropicErrors.invalid("thinking.enabled.budget_tokens: Field required");
        }
        if (budget.longValue() < 1024) {
          throw AnthropicErrors.invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
        }
        if (budget.longValue() >= maxTokens) {
          throw AnthropicErrors.invalid("`max_tokens` must be greater than `thinking.budget_tokens`");
        }
      }
      default -> throw AnthropicErrors.invalid("thinking.type: Input tag '" + type + "' found using 'type' does not "
          + "match any of the expected tags: 'enabled', 'disabled', 'adaptive'");
    }
  }

  private static void range(JsonNode root, String field, double lo, double hi) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) return;
    if (!v.isNumber()) throw AnthropicErrors.invalid(field + ": Input should be a valid number");
    if (v.doubleValue() < lo || v.doubleValue() > hi) {
      throw AnthropicErrors.invalid(field + ": Input should be between " + (int) lo + " and " + (int) hi);
    }
  }

  private static String requireString(JsonNode obj, String field, String at) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) throw AnthropicErrors.invalid(at + "." + field + ": Field required");
    if (!v.isString()) throw AnthropicErrors.invalid(at + "." + field + ": Input should be a valid string");
    return v.stringValue();
  }

  private static JsonNode requireObject(JsonNode obj, String field, String at) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) throw AnthropicErrors.invalid(at + "." + field + ": Field required");
    if (!v.isObject()) throw AnthropicErrors.invalid(at + "." + field + ": Input should be a valid dictionary");
    return v;
  }
}
