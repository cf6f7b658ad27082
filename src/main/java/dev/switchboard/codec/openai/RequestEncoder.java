package dev.switchboard.codec.openai;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.OutputFormat;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;

/**
 * Writes a canonical request as the body of an OpenAI chat request for an OpenAI-compatible upstream. One
 * instance per request (it collects the dropped features).
 */
final class RequestEncoder {
  static final String DROPPED_CACHE = "cache markers (OpenAI caches prompts automatically)";
  static final String DROPPED_REASONING = "reasoning of earlier assistant turns (OpenAI does not take it back)";
  static final String DROPPED_REDACTED = "redacted reasoning of earlier assistant turns (OpenAI does not take it back)";
  static final String DROPPED_TOP_K = "top_k (OpenAI has no top_k)";
  static final String DROPPED_SIGNATURES = "tool-call signatures (OpenAI does not use them)";
  static final String DROPPED_TOOL_ERROR = "tool result error flags (OpenAI tool messages have none)";
  static final String DROPPED_TOOL_IMAGES = "images in tool results (OpenAI tool messages take text only)";
  static final String DROPPED_ASSISTANT_IMAGES = "images in assistant messages (OpenAI takes none there)";
  static final String DROPPED_METADATA =
      "metadata (OpenAI accepts it only with store, which Switchboard does not set)";
  static final String DROPPED_CHOICES =
      "n (only the first answer is translated back; asking for more would pay for answers that are thrown away)";
  /** OpenAI rejects longer tool-call ids ({@code string_above_max_length}); Bedrock's may have 64 characters. */
  static final int MAX_TOOL_CALL_ID = 40;
  /** The name OpenAI requires for a JSON schema, for schemas that came without one. */
  static final String DEFAULT_SCHEMA_NAME = "response";

  private final Set<String> dropped = new LinkedHashSet<>();

  private RequestEncoder() {}

  static OpenAiChatCodec.Encoded encode(ChatRequest req, String upstreamModel) {
    return new RequestEncoder().write(req, upstreamModel);
  }

  private OpenAiChatCodec.Encoded write(ChatRequest req, String upstreamModel) {
    Buffer out = Buffer.buffer(1024);
    try (JsonGenerator g = JsonOut.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("model", upstreamModel);
      g.writeArrayPropertyStart("messages");
      system(g, req.system());
      for (Message m : req.messages()) {
        if (m.role() == Role.USER) user(g, m.parts());
        else assistant(g, m.parts());
      }
      g.writeEndArray();
      if (!req.tools().isEmpty()) {
        // OpenAI rejects tool_choice and parallel_tool_calls without tools; without tools they mean nothing.
        tools(g, req.tools());
        toolChoice(g, req.toolChoice());
        if (req.parallelToolCalls() != null) g.writeBooleanProperty("parallel_tool_calls", req.parallelToolCalls());
      }
      sampling(g, req.sampling());
      if (req.maxOutputTokens() != null) g.writeNumberProperty("max_completion_tokens", req.maxOutputTokens());
      if (!req.stopSequences().isEmpty()) {
        g.writeArrayPropertyStart("stop");
        for (String s : req.stopSequences()) g.writeString(s);
        g.writeEndArray();
      }
      responseFormat(g, req.outputFormat());
      reasoning(g, req.reasoning());
      user(g, req.user(), req.metadata());
      if (req.choices() > 1) dropped.add(DROPPED_CHOICES);
      if (req.stream()) {
        g.writeBooleanProperty("stream", true);
        // Always: without it an OpenAI stream carries no usage, and the stream could not be metered.
        g.writeObjectPropertyStart("stream_options");
        g.writeBooleanProperty("include_usage", true);
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    return new OpenAiChatCodec.Encoded(out, List.copyOf(dropped));
  }

  private void system(JsonGenerator g, List<Part.Text> system) {
    if (system.isEmpty()) return;
    g.writeStartObject();
    g.writeStringProperty("role", "system");
    g.writeName("content");
    texts(g, system);
    g.writeEndObject();
  }

  /** A string for one text, an array of text parts for several (kept apart, as the client sent them). */
  private void texts(JsonGenerator g, List<Part.Text> texts) {
    for (Part.Text t : texts) cache(t.cache());
    if (texts.size() == 1) {
      g.writeString(texts.getFirst().text());
      return;
    }
    g.writeStartArray();
    for (Part.Text t : texts) textPart(g, t.text());
    g.writeEndArray();
  }

  private static void textPart(JsonGenerator g, String text) {
    g.writeStartObject();
    g.writeStringProperty("type", "text");
    g.writeStringProperty("text", text);
    g.writeEndObject();
  }

  /** Tool results become one {@code role: tool} message each, first; what else the user sent follows. */
  private void user(JsonGenerator g, List<Part> parts) {
    List<Part> rest = new ArrayList<>(parts.size());
    for (Part p : parts) {
      if (p instanceof Part.ToolResult r) toolMessage(g, r);
      else rest.add(p);
    }
    List<Part> content = new ArrayList<>(rest.size());
    for (Part p : rest) {
      switch (p) {
        case Part.Text t -> {
          cache(t.cache());
          content.add(t);
        }
        case Part.Image i -> {
          cache(i.cache());
          content.add(i);
        }
        default -> dropped.add(kind(p) + " in user messages (not valid there)");
      }
    }
    if (content.isEmpty()) return;
    g.writeStartObject();
    g.writeStringProperty("role", "user");
    g.writeName("content");
    if (content.size() == 1 && content.getFirst() instanceof Part.Text t) {
      g.writeString(t.text());
    } else {
      g.writeStartArray();
      for (Part p : content) {
        if (p instanceof Part.Text t) textPart(g, t.text());
        else image(g, (Part.Image) p);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void image(JsonGenerator g, Part.Image i) {
    g.writeStartObject();
    g.writeStringProperty("type", "image_url");
    g.writeObjectPropertyStart("image_url");
    g.writeStringProperty("url", i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data());
    g.writeEndObject();
    g.writeEndObject();
  }

  private void toolMessage(JsonGenerator g, Part.ToolResult r) {
    cache(r.cache());
    if (r.error()) dropped.add(DROPPED_TOOL_ERROR);
    List<Part.Text> texts = new ArrayList<>(r.content().size());
    for (Part p : r.content()) {
      if (p instanceof Part.Text t) {
        cache(t.cache());
        texts.add(t);
      } else if (p instanceof Part.Image) {
        dropped.add(DROPPED_TOOL_IMAGES);
      } else {
        dropped.add(kind(p) + " in tool results (not valid there)");
      }
    }
    g.writeStartObject();
    g.writeStringProperty("role", "tool");
    g.writeStringProperty("tool_call_id", toolCallId(r.toolCallId()));
    g.writeName("content");
    if (texts.isEmpty()) g.writeString(""); // OpenAI requires content
    else texts(g, texts);
    g.writeEndObject();
  }

  private void assistant(JsonGenerator g, List<Part> parts) {
    List<Part.Text> texts = new ArrayList<>();
    List<Part.ToolCall> calls = new ArrayList<>();
    for (Part p : parts) {
      switch (p) {
        case Part.Text t -> {
          cache(t.cache());
          texts.add(t);
        }
        case Part.ToolCall c -> {
          if (c.signature() != null) dropped.add(DROPPED_SIGNATURES);
          calls.add(c);
        }
        case Part.Reasoning r -> dropped.add(DROPPED_REASONING);
        case Part.RedactedReasoning r -> dropped.add(DROPPED_REDACTED);
        case Part.Image i -> dropped.add(DROPPED_ASSISTANT_IMAGES);
        case Part.ToolResult r -> dropped.add("tool results in assistant messages (not valid there)");
      }
    }
    g.writeStartObject();
    g.writeStringProperty("role", "assistant");
    g.writeName("content");
    if (!texts.isEmpty()) texts(g, texts);
    else if (!calls.isEmpty()) g.writeNull();
    else g.writeString(""); // a turn that held only reasoning: OpenAI needs content or tool_calls
    if (!calls.isEmpty()) {
      g.writeArrayPropertyStart("tool_calls");
      for (Part.ToolCall c : calls) {
        g.writeStartObject();
        g.writeStringProperty("id", toolCallId(c.id()));
        g.writeStringProperty("type", "function");
        g.writeObjectPropertyStart("function");
        g.writeStringProperty("name", c.name());
        g.writeStringProperty("arguments", c.arguments()); // a JSON *string*
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void tools(JsonGenerator g, List<ToolDefinition> tools) {
    g.writeArrayPropertyStart("tools");
    for (int i = 0; i < tools.size(); i++) {
      ToolDefinition t = tools.get(i);
      cache(t.cache());
      g.writeStartObject();
      g.writeStringProperty("type", "function");
      g.writeObjectPropertyStart("function");
      g.writeStringProperty("name", t.name());
      if (t.description() != null) g.writeStringProperty("description", t.description());
      g.writeName("parameters");
      g.writeRawValue(checkedObject(t.inputSchema(), "tools[" + i + "].inputSchema"));
      if (t.strict()) g.writeBooleanProperty("strict", true);
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void toolChoice(JsonGenerator g, ToolChoice choice) {
    if (choice == null) return;
    switch (choice) {
      case ToolChoice.Auto a -> g.writeStringProperty("tool_choice", "auto");
      case ToolChoice.None n -> g.writeStringProperty("tool_choice", "none");
      case ToolChoice.Any a -> g.writeStringProperty("tool_choice", "required");
      case ToolChoice.Named named -> {
        g.writeObjectPropertyStart("tool_choice");
        g.writeStringProperty("type", "function");
        g.writeObjectPropertyStart("function");
        g.writeStringProperty("name", named.name());
        g.writeEndObject();
        g.writeEndObject();
      }
    }
  }

  private void sampling(JsonGenerator g, Sampling s) {
    if (s.temperature() != null) g.writeNumberProperty("temperature", s.temperature());
    if (s.topP() != null) g.writeNumberProperty("top_p", s.topP());
    if (s.topK() != null) dropped.add(DROPPED_TOP_K);
    if (s.seed() != null) g.writeNumberProperty("seed", s.seed());
    if (s.presencePenalty() != null) g.writeNumberProperty("presence_penalty", s.presencePenalty());
    if (s.frequencyPenalty() != null) g.writeNumberProperty("frequency_penalty", s.frequencyPenalty());
  }

  private static void responseFormat(JsonGenerator g, OutputFormat format) {
    if (format == null) return;
    g.writeObjectPropertyStart("response_format");
    switch (format) {
      case OutputFormat.JsonObject o -> g.writeStringProperty("type", "json_object");
      case OutputFormat.JsonSchema s -> {
        g.writeStringProperty("type", "json_schema");
        g.writeObjectPropertyStart("json_schema");
        g.writeStringProperty("name", s.name() != null ? s.name() : DEFAULT_SCHEMA_NAME);
        g.writeName("schema");
        g.writeRawValue(checkedObject(s.schema(), "outputFormat.schema"));
        g.writeBooleanProperty("strict", s.strict());
        g.writeEndObject();
      }
    }
    g.writeEndObject();
  }

  private void reasoning(JsonGenerator g, ReasoningConfig r) {
    if (r == null) return;
    if (r.effort() != null) {
      g.writeStringProperty("reasoning_effort", r.effort());
      if (r.budgetTokens() != null) dropped.add("reasoning budget_tokens (reasoning_effort was sent instead)");
    } else if (r.budgetTokens() != null) {
      String effort = effort(r.budgetTokens());
      g.writeStringProperty("reasoning_effort", effort);
      dropped.add("reasoning budget_tokens (sent as reasoning_effort '" + effort + "')");
    }
  }

  /**
   * A thinking budget as the nearest effort, for upstreams that know only efforts: 0 is {@code minimal}, up to
   * 2048 {@code low} (Anthropic's minimum budget is 1024), up to 8192 {@code medium}, more {@code high}.
   */
  static String effort(int budgetTokens) {
    if (budgetTokens <= 0) return "minimal";
    if (budgetTokens <= 2048) return "low";
    if (budgetTokens <= 8192) return "medium";
    return "high";
  }

  /**
   * {@code user}: the client's, else Anthropic's {@code metadata.user_id}, which means the same (an end user's id
   * for abuse monitoring). The rest of the metadata cannot go: OpenAI rejects {@code metadata} without
   * {@code store: true}, and Switchboard does not store conversations at a provider on a client's behalf.
   */
  private void user(JsonGenerator g, String user, Map<String, String> metadata) {
    Map<String, String> rest = new LinkedHashMap<>(metadata);
    if (user == null) user = rest.remove("user_id");
    if (user != null) g.writeStringProperty("user", user);
    if (!rest.isEmpty()) dropped.add(DROPPED_METADATA);
  }

  /**
   * A tool-call id OpenAI accepts: ids of up to {@value #MAX_TOOL_CALL_ID} characters unchanged, longer ones
   * replaced by {@code call_} and a digest of the id. The mapping is a pure function, so a call and its result
   * (and every later turn that repeats them) get the same id without any state; the upstream never answers
   * with these ids, so none has to be mapped back.
   */
  static String toolCallId(String id) {
    if (id.length() <= MAX_TOOL_CALL_ID) return id;
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    return "call_" + hash.substring(0, MAX_TOOL_CALL_ID - "call_".length());
  }

  private void cache(Object marker) {
    if (marker != null) dropped.add(DROPPED_CACHE);
  }

  private static String checkedObject(String json, String what) {
    String problem = JsonText.objectProblem(json);
    if (problem != null) throw new IllegalArgumentException(what + " must be a JSON object, but " + problem);
    return json;
  }

  private static String kind(Part p) {
    return switch (p) {
      case Part.Text t -> "text";
      case Part.Image i -> "images";
      case Part.ToolCall c -> "tool calls";
      case Part.ToolResult r -> "tool results";
      case Part.Reasoning r -> "reasoning";
      case Part.RedactedReasoning r -> "redacted reasoning";
    };
  }
}
