package dev.switchboard.codec.gemini;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.stream.ByteArrays;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import dev.switchboard.codec.ExactJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gemini {@code generateContent} ↔ the canonical model, for a provider adapter whose upstream speaks it
 * (PROTOCOLS.md section 4): {@link #encodeRequest}, {@link #decodeResponse}, {@link GeminiStreamDecoder}
 * and {@link #decodeError}.
 *
 * <p>All methods are pure functions of their arguments and thread-safe. Whatever a translation cannot carry
 * is listed in the result's {@code dropped} list.
 *
 * <p>Gemini's function calls usually have no id: the decoders give them {@code call_<n>} (n counting the
 * answer's calls from 0) unless Gemini sent one, and the encoder names each function response after
 * {@link Part.ToolResult#toolName()} or, failing that, the earlier call with the same id. A call's
 * {@code thoughtSignature} is kept in {@link Part.ToolCall#signature()} and also folded into its id
 * ({@link ThoughtSignatureIds}), because clients of other protocols send back only the id; the encoder replays
 * the signature on the call's part from either place.
 */
public final class GeminiCodec {
  /** Numbers read exactly: see {@link ExactJson}. */
  static final JsonMapper MAPPER = ExactJson.MAPPER;

  private GeminiCodec() {}

  /**
   * An encoded upstream request and what of the canonical request it could not carry.
   *
   * @param body the JSON body for {@code POST /v1beta/models/{model}:generateContent} (or the stream form)
   * @param dropped features left out, in the order met; empty when nothing was lost
   */
  public record Encoded(Buffer body, List<String> dropped) {
    public Encoded {
      Objects.requireNonNull(body, "body");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * Canonical → a {@code GenerateContentRequest}. The model is not part of the body (it is in the URL);
   * {@code upstreamModel} is only checked. Neighbouring messages of the same role are merged. Dropped and
   * reported: images by URL, images inside tool results, reasoning parts (Gemini needs only the
   * signatures, which travel on the calls), redacted reasoning, {@code strict} on tools, cache breakpoints,
   * {@code parallel_tool_calls: false}, metadata and the end user's id.
   */
  public static Encoded encodeRequest(ChatRequest req, String upstreamModel) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    List<String> dropped = new ArrayList<>();
    ObjectNode root = MAPPER.createObjectNode();
    boolean[] cacheReported = {false};

    ArrayNode contents = root.putArray("contents");
    Map<String, String> callNames = new HashMap<>();
    String lastRole = null;
    ArrayNode parts = null;
    for (int m = 0; m < req.messages().size(); m++) {
      Message msg = req.messages().get(m);
      String role = msg.role() == Role.ASSISTANT ? "model" : "user";
      ArrayNode out = MAPPER.createArrayNode();
      for (int i = 0; i < msg.parts().size(); i++) {
        Part p = msg.parts().get(i);
        String where = "messages." + m + ".content." + i;
        switch (p) {
          case Part.Text t -> {
            noteCache(t.cache() != null, cacheReported, dropped);
            if (!t.text().isEmpty()) out.addObject().put("text", t.text());
          }
          case Part.Image img -> {
            noteCache(img.cache() != null, cacheReported, dropped);
            if (img.data() != null) {
              ObjectNode inline = out.addObject().putObject("inlineData");
              inline.put("mimeType", img.mediaType() == null ? "image/png" : img.mediaType());
              inline.put("data", img.data());
            } else {
              dropped.add(where + " (image by url)");
            }
          }
          case Part.ToolCall c -> {
            callNames.put(c.id(), c.name());
            ObjectNode part = out.addObject();
            ObjectNode call = part.putObject("functionCall");
            call.put("name", c.name());
            call.set("args", argsObject(c.arguments()));
            String signature = c.signature();
            if (signature == null) {
              ThoughtSignatureIds.Signed signed = ThoughtSignatureIds.unfold(c.id());
              if (signed != null) signature = signed.signature();
            }
            if (signature != null) part.put("thoughtSignature", signature);
          }
          case Part.ToolResult r -> {
            noteCache(r.cache() != null, cacheReported, dropped);
            String name = r.toolName() != null ? r.toolName() : callNames.get(r.toolCallId());
            if (name == null) {
              name = r.toolCallId();
              dropped.add(where + " (tool result for unknown call " + r.toolCallId() + "; named after its id)");
            }
            StringBuilder text = new StringBuilder();
            for (Part c : r.content()) {
              if (c instanceof Part.Text t) {
                if (!text.isEmpty()) text.append('\n');
                text.append(t.text());
              } else {
                dropped.add(where + " (image in a tool result)");
              }
            }
            ObjectNode fr = out.addObject().putObject("functionResponse");
            fr.put("name", name);
            fr.putObject("response").put(r.error() ? "error" : "content", text.toString());
          }
          case Part.Reasoning ignored -> dropped.add(where + " (reasoning)");
          case Part.RedactedReasoning ignored -> dropped.add(where + " (redacted reasoning)");
        }
      }
      if (out.isEmpty()) continue;
      if (role.equals(lastRole)) {
        parts.addAll(out);
      } else {
        ObjectNode content = contents.addObject();
        content.put("role", role);
        parts = content.putArray("parts");
        parts.addAll(out);
        lastRole = role;
      }
    }

    if (!req.system().isEmpty()) {
      ArrayNode sys = root.putObject("systemInstruction").putArray("parts");
      for (Part.Text t : req.system()) {
        noteCache(t.cache() != null, cacheReported, dropped);
        sys.addObject().put("text", t.text());
      }
    }

    if (!req.tools().isEmpty()) {
      ArrayNode decls = root.putArray("tools").addObject().putArray("functionDeclarations");
      for (int i = 0; i < req.tools().size(); i++) {
        ToolDefinition t = req.tools().get(i);
        ObjectNode d = decls.addObject();
        d.put("name", t.name());
        if (t.description() != null) d.put("description", t.description());
        JsonNode schema = tryParse(t.inputSchema());
        if (schema != null && schema.isObject()) d.set("parametersJsonSchema", schema);
        if (t.strict()) dropped.add("tools." + i + ".strict");
        noteCache(t.cache() != null, cacheReported, dropped);
      }
    }
    if (req.toolChoice() != null) {
      ObjectNode fcc = root.putObject("toolConfig").putObject("functionCallingConfig");
      switch (req.toolChoice()) {
        case ToolChoice.Auto a -> fcc.put("mode", "AUTO");
        case ToolChoice.None n -> fcc.put("mode", "NONE");
        case ToolChoice.Any a -> fcc.put("mode", "ANY");
        case ToolChoice.Named n -> {
          fcc.put("mode", "ANY");
          fcc.putArray("allowedFunctionNames").add(n.name());
        }
      }
    }
    if (Boolean.FALSE.equals(req.parallelToolCalls())) dropped.add("parallel_tool_calls");

    ObjectNode gen = MAPPER.createObjectNode();
    Sampling s = req.sampling();
    if (req.maxOutputTokens() != null) gen.put("maxOutputTokens", req.maxOutputTokens());
    if (s.temperature() != null) gen.put("temperature", s.temperature());
    if (s.topP() != null) gen.put("topP", s.topP());
    if (s.topK() != null) gen.put("topK", s.topK());
    if (s.seed() != null) gen.put("seed", s.seed());
    if (s.presencePenalty() != null) gen.put("presencePenalty", s.presencePenalty());
    if (s.frequencyPenalty() != null) gen.put("frequencyPenalty", s.frequencyPenalty());
    if (!req.stopSequences().isEmpty()) {
      ArrayNode stops = gen.putArray("stopSequences");
      req.stopSequences().forEach(stops::add);
    }
    if (req.choices() > 1) gen.put("candidateCount", req.choices());
    switch (req.outputFormat()) {
      case null -> {}
      case OutputFormat.JsonObject j -> gen.put("responseMimeType", "application/json");
      case OutputFormat.JsonSchema j -> {
        gen.put("responseMimeType", "application/json");
        JsonNode schema = tryParse(j.schema());
        if (schema != null) gen.set("responseJsonSchema", schema);
        else dropped.add("response_format.json_schema (not valid JSON)");
      }
    }
    if (req.reasoning() != null) {
      Integer budget = req.reasoning().budgetTokens();
      if (budget == null && req.reasoning().effort() != null) {
        budget = switch (req.reasoning().effort()) {
          case "minimal" -> 512;
          case "low" -> 1024;
          case "medium" -> 8192;
          default -> 24576;
        };
      }
      if (budget != null) gen.putObject("thinkingConfig").put("thinkingBudget", budget);
    }
    if (!gen.isEmpty()) root.set("generationConfig", gen);

    if (!req.metadata().isEmpty()) dropped.add("metadata");
    if (req.user() != null) dropped.add("user");
    return new Encoded(Buffer.buffer(MAPPER.writeValueAsBytes(root)), dropped);
  }

  private static void noteCache(boolean marked, boolean[] reported, List<String> dropped) {
    if (marked && !reported[0]) {
      reported[0] = true;
      dropped.add("cache breakpoints");
    }
  }

  private static JsonNode argsObject(String json) {
    JsonNode n = json.isBlank() ? null : tryParse(json);
    return n != null && n.isObject() ? n : MAPPER.createObjectNode();
  }

  static JsonNode tryParse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * A {@code GenerateContentResponse} (an upstream's 200 answer) → canonical. Only the first candidate is
   * read. Function calls make the stop reason TOOL_USE whatever {@code finishReason} says; a prompt blocked
   * before any candidate ({@code promptFeedback.blockReason}) is an empty CONTENT_FILTER answer.
   *
   * @throws RejectedException a 502 when the body is not a Gemini answer, or the mapped error when it is
   *     a Gemini error object
   */
  public static ChatResponse decodeResponse(Buffer body) {
    JsonNode root = parse(body);
    JsonNode error = root.path("error");
    if (error.isObject()) throw new RejectedException(error(-1, error));
    if (!root.isObject()) throw badUpstream("not a JSON object");
    List<Part> content = new ArrayList<>();
    JsonNode candidate = root.path("candidates").path(0);
    int[] calls = {0};
    for (JsonNode p : candidate.path("content").path("parts")) {
      Part part = part(p, calls);
      if (part != null) content.add(part);
    }
    String finish = candidate.path("finishReason").asString(null);
    StopReason stop = candidate.isMissingNode()
        ? (root.path("promptFeedback").has("blockReason") ? StopReason.CONTENT_FILTER : StopReason.END_TURN)
        : stopReason(finish, calls[0] > 0);
    String id = root.path("responseId").asString("gemini");
    String model = root.path("modelVersion").asString(null);
    return new ChatResponse(id, model, content, stop, null, usage(root.path("usageMetadata")));
  }

  /**
   * One response part → canonical, or null for parts the canonical model has no place for. A signed call's id
   * carries its signature ({@link ThoughtSignatureIds}).
   */
  static Part part(JsonNode p, int[] calls) {
    String signature = p.path("thoughtSignature").asString(null);
    JsonNode fc = p.path("functionCall");
    if (fc.isObject()) {
      String id = fc.path("id").asString(null);
      if (id == null || id.isEmpty()) id = "call_" + calls[0];
      calls[0]++;
      JsonNode args = fc.path("args");
      String json = args.isObject() ? MAPPER.writeValueAsString(args) : "{}";
      return new Part.ToolCall(ThoughtSignatureIds.fold(id, signature), fc.path("name").asString(""), json,
          signature);
    }
    if (p.path("text").isString()) {
      String text = p.path("text").asString();
      if (p.path("thought").asBoolean(false)) return new Part.Reasoning(text, signature);
      return Part.Text.of(text);
    }
    JsonNode inline = p.path("inlineData");
    if (inline.isObject()) {
      return new Part.Image(inline.path("mimeType").asString(null), inline.path("data").asString(""), null, null);
    }
    return null;
  }

  /** Gemini's {@code finishReason} → canonical; {@code STOP} with function calls is TOOL_USE. */
  static StopReason stopReason(String finish, boolean toolCalls) {
    if (finish == null) return toolCalls ? StopReason.TOOL_USE : StopReason.END_TURN;
    return switch (finish) {
      case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
      case "SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY",
          "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> StopReason.CONTENT_FILTER;
      default -> toolCalls ? StopReason.TOOL_USE : StopReason.END_TURN;
    };
  }

  /**
   * {@code usageMetadata} → canonical: input = promptTokenCount, output = candidatesTokenCount +
   * thoughtsTokenCount, cache reads = cachedContentTokenCount, reasoning = thoughtsTokenCount. Missing
   * usage is all zeros, flagged as estimated.
   */
  static Usage usage(JsonNode u) {
    if (!u.isObject()) return new Usage(0, 0, 0, 0, 0, true);
    long thoughts = u.path("thoughtsTokenCount").asLong(0);
    return new Usage(u.path("promptTokenCount").asLong(0), u.path("candidatesTokenCount").asLong(0) + thoughts,
        u.path("cachedContentTokenCount").asLong(0), 0, thoughts, false);
  }

  /**
   * A Gemini error response → the gateway's error, by {@code error.status} ({@code RESOURCE_EXHAUSTED} →
   * 429, {@code UNAVAILABLE} → 503, …). A rejected API key (Gemini answers 400 {@code API_KEY_INVALID}, or
   * 401/403 {@code UNAUTHENTICATED}) or a missing one (403 {@code PERMISSION_DENIED} "Method doesn't allow
   * unregistered callers") is the gateway's own credential failing: a 502 naming the provider's key, never
   * the client's 401 or 403. A {@code google.rpc.RetryInfo} detail's {@code retryDelay} becomes the
   * error's retry-after, which is how Gemini says when to come back. A body that is not Gemini's error JSON
   * is classified by status alone.
   */
  public static GatewayError decodeError(int status, Buffer body) {
    JsonNode err;
    try {
      err = parse(body).path("error");
    } catch (RejectedException e) {
      err = MAPPER.createObjectNode();
    }
    return error(status, err);
  }

  static GatewayError error(int status, JsonNode err) {
    String message = err.path("message").asString(null);
    if (message == null || message.isBlank()) message = "The upstream returned an error without a message.";
    String code = err.path("status").asString(null);
    int s = status > 0 ? status : err.path("code").asInt(500);
    if ("UNAUTHENTICATED".equals(code) || err.toString().contains("API_KEY_INVALID")
        || ("PERMISSION_DENIED".equals(code) && message.contains("unregistered callers"))) {
      return GatewayError.of(502, GatewayError.Kind.UPSTREAM, "The Gemini upstream refused the gateway's API key: "
          + message + " — check the provider's api_key in the Switchboard config", "upstream_auth_failed");
    }
    GatewayError.Kind kind = switch (code == null ? "" : code) {
      case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> GatewayError.Kind.INVALID_REQUEST;
      case "PERMISSION_DENIED" -> GatewayError.Kind.PERMISSION;
      case "NOT_FOUND" -> GatewayError.Kind.NOT_FOUND;
      case "RESOURCE_EXHAUSTED" -> GatewayError.Kind.RATE_LIMIT;
      case "UNAVAILABLE" -> GatewayError.Kind.UNAVAILABLE;
      case "DEADLINE_EXCEEDED" -> GatewayError.Kind.TIMEOUT;
      case "INTERNAL" -> GatewayError.Kind.UPSTREAM;
      default -> switch (s) {
        case 400 -> GatewayError.Kind.INVALID_REQUEST;
        case 403 -> GatewayError.Kind.PERMISSION;
        case 404 -> GatewayError.Kind.NOT_FOUND;
        case 429 -> GatewayError.Kind.RATE_LIMIT;
        case 503 -> GatewayError.Kind.UNAVAILABLE;
        case 504 -> GatewayError.Kind.TIMEOUT;
        default -> GatewayError.Kind.UPSTREAM;
      };
    };
    if (s < 400 || s > 599) s = 502;
    return new GatewayError(s, kind, message, null, code, retryDelaySeconds(err));
  }

  /** The {@code retryDelay} of a {@code RetryInfo} detail ({@code "7s"}, {@code "0.5s"}) in whole seconds, or -1. */
  static long retryDelaySeconds(JsonNode err) {
    for (JsonNode d : err.path("details")) {
      if (!d.path("@type").asString("").endsWith("google.rpc.RetryInfo")) continue;
      String delay = d.path("retryDelay").asString("");
      if (!delay.endsWith("s")) return -1;
      try {
        return (long) Math.ceil(Double.parseDouble(delay.substring(0, delay.length() - 1)));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  static JsonNode parse(Buffer body) {
    ByteArrays.View view = ByteArrays.view(body);
    try {
      return MAPPER.readTree(view.array(), view.offset(), body.length());
    } catch (JacksonException e) {
      throw badUpstream("not JSON (" + e.getOriginalMessage() + ")");
    }
  }

  static RejectedException badUpstream(String what) {
    return new RejectedException(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's answer could not be read as a Gemini GenerateContentResponse: " + what + ".",
        "bad_upstream_response"));
  }
}
