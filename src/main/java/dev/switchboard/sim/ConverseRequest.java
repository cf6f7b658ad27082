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

/**
 * Validates a Bedrock Converse body (PROTOCOLS.md 3.1, the same for {@code /converse} and {@code /converse-stream})
 * and reduces it to the {@link ChatRequest} the other protocols use, so that all of them get the same deterministic
 * answers from {@link ChatAnswer}. Errors are {@code ValidationException}s ({@link BedrockErrors}) naming the field by
 * its path ({@code messages.1.content.0.toolUse.toolUseId}).
 *
 * <p>The conversation is read as the OpenAI message list a translating gateway would have sent, exactly as
 * {@link MessagesRequest} reads an Anthropic one: the {@code system} text blocks become one system message; each
 * {@code toolResult} becomes a {@code tool} message (before the rest of its user message); an assistant message's text
 * and the JSON of its {@code toolUse} inputs form one assistant message. Prompt tokens and the answer seed follow
 * (cl100k tokens + 3 per message + 3), so a conversation gets the same usage and words from any protocol.
 *
 * <p>Strict where a translating gateway could go wrong, as Bedrock is: content blocks are unions with exactly one known
 * member; text is not blank; the conversation starts with a user message and alternates; {@code toolUse} only in
 * assistant messages, {@code toolResult} only in user ones, each answering a {@code toolUse} of the message before,
 * and every {@code toolUse} answered by the next message; tool blocks need a {@code toolConfig}; there is no tool
 * choice "none". Unknown top-level fields are refused too. Images, documents, reasoning and cache points are checked
 * for shape and carry no text; an image's media type is {@code image/<format>}.
 *
 * <p>A {@code cachePoint} block (in {@code system}, in a message's content or among {@code toolConfig.tools}) ends the
 * cacheable prefix after what precedes it; the last one, in the order tools → system → messages, makes the request's
 * {@link Prompt.CachePrefix}.
 */
final class ConverseRequest {
  private static final Set<String> FIELDS = Set.of("messages", "system", "inferenceConfig", "toolConfig",
      "guardrailConfig", "additionalModelRequestFields", "promptVariables", "additionalModelResponseFieldPaths",
      "requestMetadata", "performanceConfig", "serviceTier", "outputConfig");
  /** The members of {@code ContentBlock} in the AWS SDK 2.57.8 model. */
  private static final Set<String> BLOCKS = new LinkedHashSet<>(List.of("text", "image", "document", "video", "audio",
      "toolUse", "toolResult", "guardContent", "cachePoint", "reasoningContent", "citationsContent", "searchResult",
      "toolAddition", "toolRemoval"));
  private static final Set<String> SYSTEM_BLOCKS = Set.of("text", "guardContent", "cachePoint");
  private static final Set<String> RESULT_BLOCKS = Set.of("text", "json", "image", "document", "video",
      "searchResult");
  private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
  private static final Pattern TOOL_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  /**
   * A validated Converse request.
   *
   * @param chat what the answer is planned from; not streamed (the path says whether it is)
   * @param reportStopSequence whether {@code additionalModelResponseFieldPaths} asked for {@code /stop_sequence}
   */
  record Parsed(ChatRequest chat, boolean reportStopSequence) {}

  /** A system prompt's text, and its length up to the last {@code cachePoint} in it (-1: none). */
  private record SystemPrompt(String text, int markedLength) {}

  private ConverseRequest() {}

  /** @param model the served model id from the path */
  static Parsed parse(JsonNode root, String model) {
    if (!root.isObject()) throw invalid("body", "must be a JSON object");
    for (String name : root.propertyNames()) {
      if (!FIELDS.contains(name)) throw invalid(name, "is not a member of ConverseRequest");
    }
    CacheMarks marks = new CacheMarks();
    List<Prompt.Message> flat = new ArrayList<>();
    String systemText = null;
    JsonNode system = root.get("system");
    if (system != null && !system.isNull()) {
      SystemPrompt sp = systemText(system);
      if (sp.markedLength() >= 0) {
        marks.endAt(0, sp.markedLength() == 0 ? null
            : new Prompt.Message("system", sp.text().substring(0, sp.markedLength())));
      }
      if (!sp.text().isEmpty()) {
        systemText = sp.text();
        flat.add(new Prompt.Message("system", systemText));
      }
    }

    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) throw invalid("messages", "Member must not be null");
    if (!messages.isArray()) throw invalid("messages", "Member must be a list");
    if (messages.isEmpty()) throw invalid("messages", "Member must have length greater than or equal to 1");
    boolean toolBlocks = false;
    List<String> lastToolResults = List.of();
    List<String> lastUserImages = List.of();
    String previousRole = null;
    Set<String> pendingToolUses = Set.of();
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages." + i;
      JsonNode msg = messages.get(i);
      if (!msg.isObject()) throw invalid(at, "Member must be a structure");
      String role = msg.path("role").asString("");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw invalid(at + ".role", "Member must satisfy enum value set: [user, assistant]");
      }
      if (i == 0 && !role.equals("user")) {
        throw BedrockErrors.validation("A conversation must start with a user message. Try again with a conversation "
            + "that starts with a user message.");
      }
      if (role.equals(previousRole)) {
        throw BedrockErrors.validation("A conversation must alternate between user and assistant roles. Make sure the "
            + "conversation alternates between user and assistant roles and try again.");
      }
      previousRole = role;
      JsonNode content = msg.get("content");
      if (content == null || content.isNull()) throw invalid(at + ".content", "Member must not be null");
      if (!content.isArray()) throw invalid(at + ".content", "Member must be a list");
      if (content.isEmpty()) throw invalid(at + ".content", "Member must have length greater than or equal to 1");
      Turn<String> turn = turn(content, at + ".content", role.equals("user"));
      int before = flat.size();
      String text = turn.text.toString();
      toolBlocks |= !turn.toolUseIds.isEmpty() || !turn.toolResultIds.isEmpty();
      if (role.equals("user")) {
        for (Map.Entry<String, String> r : turn.toolResultIds.entrySet()) {
          if (!pendingToolUses.contains(r.getKey())) {
            throw BedrockErrors.validation(r.getValue() + ".toolUseId: the toolResult for " + r.getKey()
                + " does not match any toolUse block in the previous message.");
          }
        }
        requireResults(pendingToolUses, turn.toolResultIds.keySet(), at);
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
        pendingToolUses = turn.toolUseIds;
        flat.add(new Prompt.Message("assistant", text));
        if (turn.marked) marks.endAt(before, new Prompt.Message("assistant", text.substring(0, turn.markedText)));
        lastToolResults = List.of();
      }
    }

    int maxTokens = Integer.MAX_VALUE;
    List<String> stops = List.of();
    JsonNode inference = root.get("inferenceConfig");
    if (inference != null && !inference.isNull()) {
      if (!inference.isObject()) throw invalid("inferenceConfig", "Member must be a structure");
      JsonNode mt = inference.get("maxTokens");
      if (mt != null && !mt.isNull()) {
        if (!mt.isIntegralNumber() || !mt.canConvertToInt() || mt.intValue() < 1) {
          throw invalid("inferenceConfig.maxTokens", "Member must have value greater than or equal to 1");
        }
        maxTokens = mt.intValue();
      }
      range(inference, "temperature");
      range(inference, "topP");
      stops = stopSequences(inference.get("stopSequences"));
    }

    List<ChatRequest.Tool> tools = new ArrayList<>();
    ChatRequest.ToolChoice choice = ChatRequest.ToolChoice.AUTO;
    String forced = null;
    JsonNode toolConfig = root.get("toolConfig");
    if (toolConfig != null && !toolConfig.isNull()) {
      if (!toolConfig.isObject()) throw invalid("toolConfig", "Member must be a structure");
      tools = tools(toolConfig.get("tools"), marks);
      JsonNode tc = toolConfig.get("toolChoice");
      if (tc != null && !tc.isNull()) {
        String member = member(tc, "toolConfig.toolChoice", Set.of("auto", "any", "tool"));
        choice = switch (member) {
          case "any" -> ChatRequest.ToolChoice.REQUIRED;
          case "tool" -> ChatRequest.ToolChoice.NAMED;
          default -> ChatRequest.ToolChoice.AUTO;
        };
        if (choice == ChatRequest.ToolChoice.NAMED) {
          forced = tc.path("tool").path("name").asString("");
          String wanted = forced;
          if (tools.stream().noneMatch(t -> t.name().equals(wanted))) {
            throw invalid("toolConfig.toolChoice.tool.name", "'" + forced + "' is not the name of a tool in "
                + "toolConfig.tools");
          }
        }
      }
    } else if (toolBlocks) {
      throw BedrockErrors.validation("The toolConfig field must be defined when using toolUse and toolResult content "
          + "blocks.");
    }

    boolean reportStopSequence = false;
    JsonNode paths = root.get("additionalModelResponseFieldPaths");
    if (paths != null && !paths.isNull()) {
      if (!paths.isArray()) throw invalid("additionalModelResponseFieldPaths", "Member must be a list");
      for (JsonNode p : paths) {
        if (!p.isString()) throw invalid("additionalModelResponseFieldPaths", "Member must be a list of strings");
        reportStopSequence |= p.stringValue().equals("/stop_sequence");
      }
    }
    JsonNode extra = root.get("additionalModelRequestFields");
    if (extra != null && !extra.isNull() && !extra.isObject()) {
      throw invalid("additionalModelRequestFields", "Member must be a JSON object");
    }

    int promptTokens = Prompt.tokens(tools, flat);
    String lastUserText = "";
    for (Prompt.Message m : flat) if (m.role().equals("user")) lastUserText = m.text();
    String lastRole = !lastToolResults.isEmpty() ? "tool" : flat.getLast().role();
    String prefill = ChatRequest.prefillOf(flat); // Converse (Claude) continues a final assistant message
    // Converse has no switch for parallel tool calls.
    ChatRequest chat = new ChatRequest(model, false, false, 1, maxTokens, stops, List.copyOf(tools), choice, forced,
        true, ChatRequest.Format.TEXT, null, promptTokens, ChatRequest.seedWithout(prefill, flat),
        marks.prefix(model, tools, flat, promptTokens), systemText, lastUserText, lastUserImages, lastRole,
        lastToolResults, prefill);
    return new Parsed(chat, reportStopSequence);
  }

  private static Turn<String> turn(JsonNode content, String at, boolean user) {
    Turn<String> turn = new Turn<>();
    boolean otherContent = false;
    for (int j = 0; j < content.size(); j++) {
      String bat = at + "." + j;
      JsonNode b = content.get(j);
      String member = member(b, bat, BLOCKS);
      JsonNode v = b.get(member);
      String vat = bat + "." + member;
      switch (member) {
        case "text" -> {
          String text = string(v, vat);
          if (text.isBlank()) {
            throw BedrockErrors.validation("The text field in the ContentBlock object at " + bat + " is blank. Add "
                + "text to the text field, and try again.");
          }
          turn.appendText(text);
        }
        case "image" -> {
          turn.images.add(image(v, vat));
          turn.attach(v.get("source"));
        }
        case "document", "video", "audio" -> turn.attach(object(object(v, vat).get("source"), vat + ".source"));
        case "toolUse" -> {
          if (user) throw BedrockErrors.validation(bat + ": toolUse blocks are only allowed in assistant messages.");
          String id = toolUseId(object(v, vat).get("toolUseId"), vat + ".toolUseId");
          String name = string(v.get("name"), vat + ".name");
          if (!TOOL_NAME.matcher(name).matches()) {
            throw invalid(vat + ".name", "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
          }
          JsonNode input = v.get("input");
          if (input == null || input.isNull()) throw invalid(vat + ".input", "Member must not be null");
          if (!turn.toolUseIds.add(id)) {
            throw BedrockErrors.validation(vat + ".toolUseId: toolUse ids must be unique, found " + id + " twice.");
          }
          turn.text.append(Json.MAPPER.writeValueAsString(input)); // as OpenAI's arguments follow the content
        }
        case "toolResult" -> {
          if (!user) throw BedrockErrors.validation(bat + ": toolResult blocks are only allowed in user messages.");
          if (otherContent) {
            throw BedrockErrors.validation(bat + ": toolResult blocks must come before any other content in a user "
                + "message.");
          }
          String id = toolUseId(object(v, vat).get("toolUseId"), vat + ".toolUseId");
          if (turn.toolResultIds.putIfAbsent(id, vat) != null) {
            throw BedrockErrors.validation(vat + ".toolUseId: more than one toolResult for " + id + ".");
          }
          JsonNode status = v.get("status");
          if (status != null && !status.isNull()
              && !(status.asString("").equals("success") || status.asString("").equals("error"))) {
            throw invalid(vat + ".status", "Member must satisfy enum value set: [success, error]");
          }
          turn.toolResults.add(resultText(v.get("content"), vat + ".content"));
          continue; // not "other content"
        }
        case "reasoningContent" -> {
          if (user) throw BedrockErrors.validation(bat + ": reasoningContent is only allowed in assistant messages.");
          member(v, vat, Set.of("reasoningText", "redactedContent"));
        }
        case "cachePoint" -> {
          cachePoint(v, vat);
          turn.mark(otherContent);
        }
        default -> object(v, vat); // guard content, citations, search results: nothing the simulator reads
      }
      otherContent = true;
    }
    return turn;
  }

  /** The text of a tool result: its text blocks and the JSON of its json blocks, joined by newlines. */
  private static String resultText(JsonNode content, String at) {
    if (content == null || content.isNull()) throw invalid(at, "Member must not be null");
    if (!content.isArray()) throw invalid(at, "Member must be a list");
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < content.size(); k++) {
      String bat = at + "." + k;
      String member = member(content.get(k), bat, RESULT_BLOCKS);
      JsonNode v = content.get(k).get(member);
      switch (member) {
        case "text" -> {
          if (!sb.isEmpty()) sb.append('\n');
          sb.append(string(v, bat + ".text"));
        }
        case "json" -> {
          if (!sb.isEmpty()) sb.append('\n');
          sb.append(Json.MAPPER.writeValueAsString(v));
        }
        case "image" -> image(v, bat + ".image");
        default -> object(v, bat + "." + member);
      }
    }
    return sb.toString();
  }

  private static void requireResults(Set<String> pending, Set<String> results, String at) {
    if (results.containsAll(pending)) return;
    Set<String> missing = new LinkedHashSet<>(pending);
    missing.removeAll(results);
    throw BedrockErrors.validation("Expected toolResult blocks at " + at + ".content for the following Ids: "
        + String.join(", ", missing));
  }

  private static SystemPrompt systemText(JsonNode system) {
    if (!system.isArray()) throw invalid("system", "Member must be a list");
    StringBuilder sb = new StringBuilder();
    int markedLength = -1;
    for (int j = 0; j < system.size(); j++) {
      String at = "system." + j;
      String member = member(system.get(j), at, SYSTEM_BLOCKS);
      JsonNode v = system.get(j).get(member);
      switch (member) {
        case "text" -> {
          if (!sb.isEmpty()) sb.append('\n');
          sb.append(string(v, at + ".text"));
        }
        case "cachePoint" -> {
          cachePoint(v, at + ".cachePoint");
          markedLength = sb.length();
        }
        default -> object(v, at + "." + member);
      }
    }
    return new SystemPrompt(sb.toString(), markedLength);
  }

  private static List<ChatRequest.Tool> tools(JsonNode node, CacheMarks marks) {
    if (node == null || node.isNull()) throw invalid("toolConfig.tools", "Member must not be null");
    if (!node.isArray()) throw invalid("toolConfig.tools", "Member must be a list");
    if (node.isEmpty()) throw invalid("toolConfig.tools", "Member must have length greater than or equal to 1");
    List<ChatRequest.Tool> tools = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "toolConfig.tools." + i;
      String member = member(node.get(i), at, Set.of("toolSpec", "cachePoint", "systemTool"));
      JsonNode v = node.get(i).get(member);
      if (member.equals("cachePoint")) {
        cachePoint(v, at + ".cachePoint");
        marks.endAtTools(tools.size());
        continue;
      }
      String name = string(object(v, at + "." + member).get("name"), at + "." + member + ".name");
      if (!TOOL_NAME.matcher(name).matches()) {
        throw invalid(at + "." + member + ".name", "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
      }
      if (!names.add(name)) throw BedrockErrors.validation("The tool name " + name + " is used more than once.");
      if (member.equals("systemTool")) continue; // built in to the model: never called here
      JsonNode schema = object(v.get("inputSchema"), at + ".toolSpec.inputSchema");
      JsonNode json = object(schema.get("json"), at + ".toolSpec.inputSchema.json");
      tools.add(new ChatRequest.Tool(name, json));
    }
    return tools;
  }

  private static List<String> stopSequences(JsonNode node) {
    if (node == null || node.isNull()) return List.of();
    if (!node.isArray()) throw invalid("inferenceConfig.stopSequences", "Member must be a list");
    List<String> stops = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String s = string(node.get(i), "inferenceConfig.stopSequences." + i);
      if (s.isEmpty()) {
        throw invalid("inferenceConfig.stopSequences." + i, "Member must have length greater than or equal to 1");
      }
      stops.add(s);
    }
    return List.copyOf(stops);
  }

  private static void range(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) return;
    if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 1) {
      throw invalid("inferenceConfig." + field, "Member must have value between 0 and 1");
    }
  }

  /** Checks an image block; returns its media type, {@code image/<format>}. */
  private static String image(JsonNode v, String at) {
    object(v, at);
    String format = v.path("format").asString("");
    if (!IMAGE_FORMATS.contains(format)) {
      throw invalid(at + ".format", "Member must satisfy enum value set: [png, jpeg, gif, webp]");
    }
    member(v.get("source"), at + ".source", Set.of("bytes", "s3Location"));
    return "image/" + format;
  }

  private static void cachePoint(JsonNode v, String at) {
    if (!object(v, at).path("type").asString("").equals("default")) {
      throw invalid(at + ".type", "Member must satisfy enum value set: [default]");
    }
  }

  /** The single member of the union {@code node}, which must be one of {@code allowed}. */
  private static String member(JsonNode node, String at, Set<String> allowed) {
    object(node, at);
    if (node.size() != 1) {
      throw invalid(at, "Member must have exactly one of these members set: " + String.join(", ", allowed)
          + " (found " + node.size() + ")");
    }
    String name = node.propertyNames().iterator().next();
    if (!allowed.contains(name)) {
      throw invalid(at, "'" + name + "' is not one of the members " + String.join(", ", allowed));
    }
    return name;
  }

  private static String toolUseId(JsonNode v, String at) {
    String id = string(v, at);
    if (!TOOL_ID.matcher(id).matches()) {
      throw invalid(at, "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+ and have length less than or "
          + "equal to 64");
    }
    return id;
  }

  private static JsonNode object(JsonNode v, String at) {
    if (v == null || v.isNull()) throw invalid(at, "Member must not be null");
    if (!v.isObject()) throw invalid(at, "Member must be a structure");
    return v;
  }

  private static String string(JsonNode v, String at) {
    if (v == null || v.isNull()) throw invalid(at, "Member must not be null");
    if (!v.isString()) throw invalid(at, "Member must be a string");
    return v.stringValue();
  }

  /** Bedrock's wording for a field that fails its constraint. */
  private static ApiError invalid(String field, String problem) {
    return BedrockErrors.validation("1 validation error detected: Value at '" + field + "' failed to satisfy "
        + "constraint: " + problem);
  }
}
