package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated Gemini {@code generateContent} body (PROTOCOLS.md 4, 5), reduced to the {@link ChatRequest} the other
 * protocols use, plus the one thing only Gemini asks for here: thinking. The conversation is read by
 * {@link GeminiContents}; this class reads {@code generationConfig}, {@code tools} and {@code toolConfig}, with the
 * field rules of {@link GeminiFields}. Errors are Gemini-shaped {@link ApiError}s (400 {@code INVALID_ARGUMENT}).
 *
 * <p>Mapping: {@code candidateCount} is {@code n}, {@code maxOutputTokens} the token limit, {@code stopSequences} the
 * stops; function declarations are the tools, their {@code parameters} (Gemini's OpenAPI subset, whose type names are
 * upper case) turned into JSON Schema, or {@code parametersJsonSchema} as it is; mode {@code NONE} offers no call,
 * {@code ANY} (and {@code VALIDATED}) with {@code allowedFunctionNames} calls the first declared function allowed,
 * {@code ANY} alone the first one; {@code responseMimeType: application/json} with a schema is structured output,
 * without one a small JSON object. A request thinks when {@code thinkingConfig} sets a non-zero
 * {@code thinkingBudget} or a {@code thinkingLevel}: {@value #THOUGHT_TOKENS} thought tokens per candidate (fewer if
 * the budget is smaller), billed as {@code thoughtsTokenCount} and shown only with {@code includeThoughts}; they do
 * not use up {@code maxOutputTokens}.
 *
 * @param chat the request as every protocol's answer planner reads it
 * @param thoughtTokens thinking tokens per candidate, 0 when the request does not think
 * @param includeThoughts whether the thoughts are sent as {@code thought: true} parts
 */
record GeminiRequest(ChatRequest chat, int thoughtTokens, boolean includeThoughts) {
  static final int THOUGHT_TOKENS = 16;
  private static final String REQUEST = "GenerateContentRequest";
  private static final Set<String> TOP = Set.of("model", "contents", "tools", "toolConfig", "safetySettings",
      "systemInstruction", "generationConfig", "cachedContent", "labels");
  private static final Set<String> GENERATION = Set.of("stopSequences", "responseMimeType", "responseSchema",
      "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK",
      "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers",
      "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution");
  private static final Set<String> THINKING = Set.of("includeThoughts", "thinkingBudget", "thinkingLevel");
  private static final Set<String> LEVELS = Set.of("THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH");
  private static final Set<String> MIME_TYPES = Set.of("text/plain", "application/json", "application/xml",
      "application/yaml", "text/x.enum");
  private static final Set<String> TOOL = Set.of("functionDeclarations", "googleSearchRetrieval", "codeExecution",
      "googleSearch", "urlContext", "computerUse", "fileSearch", "googleMaps");
  private static final Set<String> DECLARATION = Set.of("name", "description", "parameters", "parametersJsonSchema",
      "response", "responseJsonSchema", "behavior");
  private static final Set<String> TOOL_CONFIG = Set.of("functionCallingConfig", "retrievalConfig");
  private static final Set<String> CALLING = Set.of("mode", "allowedFunctionNames");
  private static final Set<String> MODES = Set.of("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED");
  /** The fields of Gemini's {@code Schema}: anything else in {@code parameters} is refused, as Gemini refuses it. */
  private static final Set<String> SCHEMA = Set.of("type", "format", "title", "description", "nullable", "enum",
      "maxItems", "minItems", "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
      "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum");
  private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}");

  /** Parses a {@code generateContent} or {@code streamGenerateContent} body for {@code model}. */
  static GeminiRequest parse(JsonNode root, String model, boolean stream) {
    return parse(root, model, stream, true);
  }

  /**
   * The prompt tokens of a {@code countTokens} body: {@code contents} alone, or a whole
   * {@code generateContentRequest}; the count {@code promptTokenCount} would report for it.
   */
  static int countTokens(JsonNode root, String model) {
    if (!root.isObject()) throw GeminiErrors.invalid("Invalid JSON payload received. Expected an object.");
    GeminiFields.known(root, Set.of("contents", "generateContentRequest"), "");
    JsonNode whole = GeminiFields.object(root, "generateContentRequest", "", REQUEST);
    if (whole == null) return GeminiContents.read(root, "CountTokensRequest", false).promptTokens();
    if (GeminiFields.get(root, "contents") != null) {
      throw GeminiFields.invalidField("CountTokensRequest", "", "contents and generate_content_request are mutually "
          + "exclusive.");
    }
    return parse(whole, model, false, false).chat().promptTokens();
  }

  private static GeminiRequest parse(JsonNode root, String model, boolean stream, boolean signatures) {
    if (!root.isObject()) throw GeminiErrors.invalid("Invalid JSON payload received. Expected an object.");
    GeminiFields.known(root, TOP, "");
    GeminiContents.Conversation conv = GeminiContents.read(root, REQUEST, signatures);

    JsonNode gen = GeminiFields.object(root, "generationConfig", "", "GenerationConfig");
    if (gen == null) gen = Json.MAPPER.createObjectNode();
    String at = "generation_config";
    GeminiFields.known(gen, GENERATION, at);
    int n = orDefault(GeminiFields.int32(gen, "candidateCount", at), 1);
    if (n < 1 || n > 8) throw GeminiFields.invalidField(REQUEST, at + ".candidate_count", "must be in range [1, 8].");
    int maxTokens = orDefault(GeminiFields.int32(gen, "maxOutputTokens", at), Integer.MAX_VALUE);
    if (maxTokens < 1) {
      throw GeminiFields.invalidField(REQUEST, at + ".max_output_tokens", "max_output_tokens must be positive.");
    }
    range(gen, "temperature", 0, 2);
    range(gen, "topP", 0, 1);
    Integer topK = GeminiFields.int32(gen, "topK", at);
    if (topK != null && topK < 0) throw GeminiFields.invalidField(REQUEST, at + ".top_k", "top_k must be positive.");
    GeminiFields.int32(gen, "seed", at);
    GeminiFields.number(gen, "presencePenalty", at);
    GeminiFields.number(gen, "frequencyPenalty", at);
    List<String> stops = stops(gen);

    String mime = GeminiFields.string(gen, "responseMimeType", at);
    if (mime != null && !MIME_TYPES.contains(mime)) {
      throw GeminiFields.invalidField(REQUEST, at + ".response_mime_type", "allowed mimetypes are `text/plain`, "
          + "`application/json`, `application/xml`, `application/yaml` and `text/x.enum`.");
    }
    JsonNode openApiSchema = GeminiFields.object(gen, "responseSchema", at, "Schema");
    JsonNode jsonSchema = GeminiFields.get(gen, "responseJsonSchema");
    if (openApiSchema != null && jsonSchema != null) {
      throw GeminiFields.invalidField(REQUEST, at, "response_schema and response_json_schema cannot both be set.");
    }
    JsonNode schema = openApiSchema != null ? jsonSchema(openApiSchema, at + ".response_schema") : jsonSchema;
    if (schema != null && !"application/json".equals(mime) && !"text/x.enum".equals(mime)) {
      throw GeminiFields.invalidField(REQUEST, at + ".response_mime_type", "response_mime_type must be one of "
          + "['application/json', 'text/x.enum'] when a response schema is set.");
    }
    ChatRequest.Format format = !"application/json".equals(mime) ? ChatRequest.Format.TEXT
        : schema != null ? ChatRequest.Format.JSON_SCHEMA : ChatRequest.Format.JSON_OBJECT;

    int thoughts = 0;
    boolean includeThoughts = false;
    JsonNode thinking = GeminiFields.object(gen, "thinkingConfig", at, "ThinkingConfig");
    if (thinking != null) {
      String tat = at + ".thinking_config";
      GeminiFields.known(thinking, THINKING, tat);
      includeThoughts = Boolean.TRUE.equals(GeminiFields.bool(thinking, "includeThoughts", tat));
      Integer budget = GeminiFields.int32(thinking, "thinkingBudget", tat);
      String level = GeminiFields.string(thinking, "thinkingLevel", tat);
      if (level != null && !LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
        throw GeminiFields.badValue(tat + ".thinking_level", "type.googleapis.com/google.ai.generativelanguage."
            + "v1beta.ThinkingConfig.ThinkingLevel", thinking.path("thinkingLevel"));
      }
      if (budget != null && level != null) {
        throw GeminiFields.invalidField(REQUEST, tat, "thinking_budget and thinking_level cannot both be set.");
      }
      if (budget != null && budget < -1) {
        throw GeminiFields.invalidField(REQUEST, tat + ".thinking_budget", "thinking_budget must be -1 (dynamic), 0 "
            + "(off) or positive.");
      }
      if (level != null || (budget != null && budget == -1)) thoughts = THOUGHT_TOKENS;
      else if (budget != null) thoughts = Math.min(budget, THOUGHT_TOKENS);
    }

    List<ChatRequest.Tool> tools = tools(root);
    ChatRequest.ToolChoice choice = ChatRequest.ToolChoice.AUTO;
    String forced = null;
    JsonNode tc = GeminiFields.object(root, "toolConfig", "", "ToolConfig");
    if (tc != null) {
      GeminiFields.known(tc, TOOL_CONFIG, "tool_config");
      JsonNode fcc = GeminiFields.object(tc, "functionCallingConfig", "tool_config", "FunctionCallingConfig");
      if (fcc != null) {
        String fat = "tool_config.function_calling_config";
        GeminiFields.known(fcc, CALLING, fat);
        String mode = orDefault(GeminiFields.string(fcc, "mode", fat), "AUTO");
        if (!MODES.contains(mode)) {
          throw GeminiFields.badValue(fat + ".mode", "type.googleapis.com/google.ai.generativelanguage.v1beta."
              + "FunctionCallingConfig.Mode", GeminiFields.get(fcc, "mode"));
        }
        List<String> allowed = strings(fcc, "allowedFunctionNames", fat);
        boolean restricts = mode.equals("ANY") || mode.equals("VALIDATED");
        if (!allowed.isEmpty() && !restricts) {
          throw GeminiFields.invalidField(REQUEST, fat + ".allowed_function_names", "allowed_function_names is only "
              + "allowed when the mode is ANY or VALIDATED.");
        }
        for (String name : allowed) {
          if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw GeminiFields.invalidField(REQUEST, fat + ".allowed_function_names", "function `" + name
                + "` is not among the function declarations.");
          }
        }
        if (mode.equals("NONE")) {
          choice = ChatRequest.ToolChoice.NONE;
        } else if (restricts && !allowed.isEmpty()) {
          choice = ChatRequest.ToolChoice.NAMED;
          forced = tools.stream().map(ChatRequest.Tool::name).filter(allowed::contains).findFirst().orElseThrow();
        } else if (mode.equals("ANY")) {
          choice = ChatRequest.ToolChoice.REQUIRED;
        }
      }
    }

    // Gemini has no switch for parallel calls; its prompt has no cache markers (cached content is a separate API).
    ChatRequest chat = new ChatRequest(model, stream, false, n, maxTokens, stops, tools, choice, forced, true, format,
        schema, Prompt.tokens(tools, conv.flat()), conv.promptHash(), null, conv.systemText(), conv.lastUserText(),
        conv.lastUserImages(), conv.lastRole(), conv.lastToolResults(), null);
    return new GeminiRequest(chat, thoughts, includeThoughts);
  }

  private static List<String> stops(JsonNode gen) {
    List<String> stops = strings(gen, "stopSequences", "generation_config");
    if (stops.size() > 5) {
      throw GeminiFields.invalidField(REQUEST, "generation_config.stop_sequences", "at most 5 stop sequences are "
          + "allowed.");
    }
    stops.removeIf(String::isEmpty);
    return List.copyOf(stops);
  }

  private static List<String> strings(JsonNode obj, String field, String at) {
    List<String> out = new ArrayList<>();
    JsonNode arr = GeminiFields.array(obj, field, at, "TYPE_STRING");
    if (arr == null) return out;
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isString()) {
        throw GeminiFields.badValue(GeminiFields.path(at, field) + "[" + i + "]", "TYPE_STRING", arr.get(i));
      }
      out.add(arr.get(i).stringValue());
    }
    return out;
  }

  private static List<ChatRequest.Tool> tools(JsonNode root) {
    List<ChatRequest.Tool> tools = new ArrayList<>();
    JsonNode arr = GeminiFields.array(root, "tools", "", "type.googleapis.com/google.ai.generativelanguage.v1beta."
        + "Tool");
    if (arr == null) return tools;
    Set<String> names = new HashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = arr.get(i);
      if (!tool.isObject()) {
        throw GeminiFields.badValue(at, "type.googleapis.com/google.ai.generativelanguage.v1beta.Tool", tool);
      }
      GeminiFields.known(tool, TOOL, at);
      JsonNode decls = GeminiFields.array(tool, "functionDeclarations", at, "type.googleapis.com/google.ai."
          + "generativelanguage.v1beta.FunctionDeclaration");
      if (decls == null) continue; // Google's own tools (search, code execution, ...): accepted, never called
      for (int j = 0; j < decls.size(); j++) {
        String dat = at + ".function_declarations[" + j + "]";
        JsonNode d = decls.get(j);
        if (!d.isObject()) {
          throw GeminiFields.badValue(dat, "type.googleapis.com/google.ai.generativelanguage.v1beta."
              + "FunctionDeclaration", d);
        }
        GeminiFields.known(d, DECLARATION, dat);
        String name = GeminiFields.string(d, "name", dat);
        if (name == null || !FUNCTION_NAME.matcher(name).matches()) {
          throw GeminiFields.invalidField(REQUEST, dat + ".name", "Invalid function name. Must start with a letter "
              + "or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or "
              + "dashes (-), with a maximum length of 64.");
        }
        if (!names.add(name)) {
          throw GeminiFields.invalidField(REQUEST, dat + ".name", "Duplicate function declaration found: " + name);
        }
        GeminiFields.string(d, "description", dat);
        JsonNode parameters = GeminiFields.object(d, "parameters", dat, "Schema");
        JsonNode parametersJson = GeminiFields.get(d, "parametersJsonSchema");
        if (parameters != null && parametersJson != null) {
          throw GeminiFields.invalidField(REQUEST, dat, "parameters and parameters_json_schema cannot both be set.");
        }
        JsonNode schema = parameters != null ? jsonSchema(parameters, dat + ".parameters") : parametersJson;
        tools.add(new ChatRequest.Tool(name, schema));
      }
    }
    return List.copyOf(tools);
  }

  /**
   * Gemini's {@code Schema} (an OpenAPI 3 subset) as the JSON Schema the sampler reads: field names checked, type
   * names ({@code OBJECT}, {@code STRING}, ...) in lower case, {@code nullable} kept (the sampler never needs null).
   */
  private static JsonNode jsonSchema(JsonNode s, String at) {
    if (!s.isObject()) {
      throw GeminiFields.badValue(at, "type.googleapis.com/google.ai.generativelanguage.v1beta.Schema", s);
    }
    GeminiFields.known(s, SCHEMA, at);
    ObjectNode out = (ObjectNode) s.deepCopy();
    String type = GeminiFields.string(s, "type", at);
    if (type != null) out.put("type", type.toLowerCase(Locale.ROOT));
    JsonNode props = GeminiFields.object(s, "properties", at, "Schema");
    if (props != null) {
      ObjectNode p = out.putObject("properties");
      for (Map.Entry<String, JsonNode> e : props.properties()) {
        p.set(e.getKey(), jsonSchema(e.getValue(), at + ".properties[" + e.getKey() + "].value"));
      }
    }
    JsonNode items = GeminiFields.object(s, "items", at, "Schema");
    if (items != null) out.set("items", jsonSchema(items, at + ".items"));
    JsonNode anyOf = GeminiFields.array(s, "anyOf", at, "type.googleapis.com/google.ai.generativelanguage.v1beta."
        + "Schema");
    if (anyOf != null) {
      ArrayNode a = out.putArray("anyOf");
      for (int i = 0; i < anyOf.size(); i++) a.add(jsonSchema(anyOf.get(i), at + ".any_of[" + i + "]"));
    }
    return out;
  }

  private static void range(JsonNode gen, String field, double lo, double hi) {
    Double v = GeminiFields.number(gen, field, "generation_config");
    if (v != null && (v < lo || v > hi)) {
      String name = GeminiFields.snake(field);
      throw GeminiFields.invalidField(REQUEST, "generation_config." + name, name + " must be in the range [" + lo
          + ", " + hi + "].");
    }
  }

  private static <T> T orDefault(T value, T dflt) {
    return value != null ? value : dflt;
  }
}
