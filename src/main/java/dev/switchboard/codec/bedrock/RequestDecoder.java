package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.Sampling;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** A Converse request body as an AWS SDK sends it → canonical. */
final class RequestDecoder {
  private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
  private static final Set<String> TEXT_DOCUMENTS = Set.of("txt", "md", "csv", "html");

  private final List<String> dropped = new ArrayList<>();

  private RequestDecoder() {}

  static BedrockConverseCodec.Decoded decode(Buffer body, String modelId, boolean stream) {
    return new RequestDecoder().run(body, modelId, stream);
  }

  private BedrockConverseCodec.Decoded run(Buffer body, String modelId, boolean stream) {
    JsonNode root = ExactJson.parse(body, e -> new RejectedException(GatewayError.invalid(
        "Malformed input request: the body is not valid JSON (" + e.getOriginalMessage() + ")", null,
        "ValidationException")));
    if (!root.isObject()) {
      throw new RejectedException(GatewayError.invalid("Malformed input request: the body must be a JSON object.",
          null, "ValidationException"));
    }
    List<Part.Text> system = List.of();
    List<Message> messages = null;
    List<ToolDefinition> tools = List.of();
    ToolChoice toolChoice = null;
    Double temperature = null;
    Double topP = null;
    Integer topK = null;
    Integer maxTokens = null;
    List<String> stop = List.of();
    ReasoningConfig reasoning = null;
    Map<String, String> metadata = Map.of();
    for (var e : root.properties()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (v.isNull()) continue;
      switch (name) {
        case "messages" -> messages = messages(v);
        case "system" -> system = system(v);
        case "inferenceConfig" -> {
          object(v, "inferenceConfig");
          for (var f : v.properties()) {
            String at = "inferenceConfig." + f.getKey();
            JsonNode x = f.getValue();
            if (x.isNull()) continue;
            switch (f.getKey()) {
              case "maxTokens" -> {
                if (!x.isIntegralNumber() || x.asLong() < 1 || x.asLong() > Integer.MAX_VALUE) {
                  throw Wire.invalid(at, "Member must be an integer greater than or equal to 1");
                }
                maxTokens = x.asInt();
              }
              case "temperature" -> temperature = unit(x, at);
              case "topP" -> topP = unit(x, at);
              case "stopSequences" -> stop = strings(x, at);
              default -> dropped.add(at);
            }
          }
        }
        case "toolConfig" -> {
          object(v, "toolConfig");
          for (var f : v.properties()) {
            if (f.getValue().isNull()) continue;
            switch (f.getKey()) {
              case "tools" -> tools = tools(f.getValue());
              case "toolChoice" -> toolChoice = toolChoice(f.getValue());
              default -> dropped.add("toolConfig." + f.getKey());
            }
          }
        }
        case "additionalModelRequestFields" -> {
          object(v, name);
          for (var f : v.properties()) {
            String at = name + "." + f.getKey();
            JsonNode x = f.getValue();
            switch (f.getKey()) {
              case "top_k" -> {
                if (!x.isIntegralNumber() || x.asLong() < 0 || x.asLong() > Integer.MAX_VALUE) {
                  throw Wire.invalid(at, "Member must be a non-negative integer");
                }
                topK = x.asInt();
              }
              case "thinking" -> {
                String type = x.path("type").asString("");
                if (type.equals("enabled")) {
                  JsonNode budget = x.get("budget_tokens");
                  if (budget == null || !budget.isIntegralNumber() || budget.asLong() < 1) {
                    throw Wire.invalid(at + ".budget_tokens", "Member must be an integer greater than or equal to 1");
                  }
                  reasoning = new ReasoningConfig(null, budget.asInt());
                } else if (!type.equals("disabled")) {
                  dropped.add(at + " (" + (type.isEmpty() ? "no type" : type) + ")");
                }
              }
              case "reasoningConfig" -> {
                String effort = x.path("maxReasoningEffort").asString(null);
                if (x.path("type").asString("").equals("enabled") && effort != null
                    && Set.of("low", "medium", "high").contains(effort)) {
                  reasoning = new ReasoningConfig(effort, null);
                } else if (!x.path("type").asString("").equals("disabled")) {
                  dropped.add(at);
                }
              }
              default -> dropped.add(at);
            }
          }
        }
        case "requestMetadata" -> {
          object(v, name);
          Map<String, String> m = new LinkedHashMap<>();
          for (var f : v.properties()) {
            if (!f.getValue().isString()) throw Wire.invalid(name + "." + f.getKey(), "Member must be a string");
            m.put(f.getKey(), f.getValue().stringValue());
          }
          metadata = m;
        }
        case "modelId" -> { } // the path names the model; an SDK never sends it in the body
        default -> dropped.add(name);
      }
    }
    if (messages == null) throw Wire.invalid("messages", "Member must not be null");
    return new BedrockConverseCodec.Decoded(new ChatRequest(modelId, system, messages, tools, toolChoice, null,
        new Sampling(temperature, topP, topK, null, null, null), maxTokens, stop, null, reasoning, metadata, null,
        stream, 1), dropped);
  }

  private static void object(JsonNode v, String at) {
    if (!v.isObject()) throw Wire.invalid(at, "Member must be an object");
  }

  private static Double unit(JsonNode x, String at) {
    if (!x.isNumber() || x.asDouble() < 0 || x.asDouble() > 1) {
      throw Wire.invalid(at, "Member must be a number between 0 and 1");
    }
    return x.asDouble();
  }

  private static List<String> strings(JsonNode x, String at) {
    if (!x.isArray()) throw Wire.invalid(at, "Member must be a list of strings");
    List<String> out = new ArrayList<>();
    for (JsonNode s : x) {
      if (!s.isString()) throw Wire.invalid(at + "." + out.size(), "Member must be a string");
      out.add(s.stringValue());
    }
    return out;
  }

  private static String string(JsonNode parent, String field, String at) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) throw Wire.invalid(at + "." + field, "Member must not be null");
    if (!v.isString()) throw Wire.invalid(at + "." + field, "Member must be a string");
    return v.stringValue();
  }

  /** The one member of a tagged-union block (Converse has no {@code type} field: exactly one member is set). */
  private static String member(JsonNode b, String at) {
    if (!b.isObject()) throw Wire.invalid(at, "Member must be an object");
    String found = null;
    for (var e : b.properties()) {
      if (e.getValue().isNull()) continue;
      if (found != null) {
        throw Wire.invalid(at, "Member must have exactly one of its union members set, found '" + found + "' and '"
            + e.getKey() + "'");
      }
      found = e.getKey();
    }
    if (found == null) throw Wire.invalid(at, "Member must have exactly one of its union members set, found none");
    return found;
  }

  private List<Part.Text> system(JsonNode v) {
    if (!v.isArray()) throw Wire.invalid("system", "Member must be a list");
    List<Part.Text> out = new ArrayList<>();
    int i = 0;
    for (JsonNode b : v) {
      String at = "system." + i++;
      String m = member(b, at);
      switch (m) {
        case "text" -> out.add(Part.Text.of(string(b, "text", at)));
        case "cachePoint" -> {
          if (out.isEmpty()) dropped.add(at + " (cachePoint)");
          else out.set(out.size() - 1, new Part.Text(out.getLast().text(), cache(b.get("cachePoint"))));
        }
        default -> dropped.add(at + " (" + m + ")");
      }
    }
    return out;
  }

  private static CacheMarker cache(JsonNode point) {
    String ttl = point.path("ttl").asString(null);
    return ttl == null ? CacheMarker.DEFAULT : new CacheMarker(ttl);
  }

  private List<Message> messages(JsonNode v) {
    if (!v.isArray()) throw Wire.invalid("messages", "Member must be a list");
    if (v.isEmpty()) throw Wire.invalid("messages", "Member must have length greater than or equal to 1");
    List<Message> out = new ArrayList<>();
    int i = 0;
    Role previous = null;
    for (JsonNode m : v) {
      String at = "messages." + i++;
      if (!m.isObject()) throw Wire.invalid(at, "Member must be an object");
      String r = string(m, "role", at);
      Role role = switch (r) {
        case "user" -> Role.USER;
        case "assistant" -> Role.ASSISTANT;
        default -> throw Wire.invalid(at + ".role", "Member must satisfy enum value set: [user, assistant]");
      };
      if (previous == null && role != Role.USER) {
        throw Wire.invalid(at + ".role", "A conversation must start with a user message. Try again with a "
            + "conversation that starts with a user message.");
      }
      if (role == previous) {
        throw Wire.invalid(at + ".role", "A conversation must alternate between user and assistant roles. Make sure "
            + "the conversation alternates between user and assistant roles and try again.");
      }
      previous = role;
      JsonNode content = m.get("content");
      if (content == null || content.isNull()) throw Wire.invalid(at + ".content", "Member must not be null");
      if (!content.isArray()) throw Wire.invalid(at + ".content", "Member must be a list");
      for (var f : m.properties()) {
        if (!f.getKey().equals("role") && !f.getKey().equals("content")) dropped.add(at + "." + f.getKey());
      }
      List<Part> parts = new ArrayList<>();
      int j = 0;
      for (JsonNode b : content) {
        String bt = at + ".content." + j++;
        String kind = member(b, bt);
        JsonNode x = b.get(kind);
        String xt = bt + "." + kind;
        switch (kind) {
          case "text" -> parts.add(Part.Text.of(string(b, "text", bt)));
          case "image" -> parts.add(image(x, xt));
          case "document" -> parts.add(document(x, xt));
          case "toolUse" -> {
            object(x, xt);
            JsonNode input = x.get("input");
            if (input == null || input.isNull()) throw Wire.invalid(xt + ".input", "Member must not be null");
            parts.add(new Part.ToolCall(Wire.idFromWire(string(x, "toolUseId", xt)), string(x, "name", xt),
                ExactJson.text(input), null));
          }
          case "toolResult" -> parts.add(toolResult(x, xt));
          case "reasoningContent" -> {
            object(x, xt);
            String rk = member(x, xt);
            JsonNode rv = x.get(rk);
            switch (rk) {
              case "reasoningText" -> {
                object(rv, xt + ".reasoningText");
                JsonNode sig = rv.get("signature");
                parts.add(new Part.Reasoning(string(rv, "text", xt + ".reasoningText"),
                    sig != null && sig.isString() && !sig.stringValue().isEmpty() ? sig.stringValue() : null));
              }
              case "redactedContent" -> {
                if (!rv.isString()) throw Wire.invalid(xt + ".redactedContent", "Member must be base64-encoded bytes");
                parts.add(new Part.RedactedReasoning(rv.stringValue()));
              }
              default -> dropped.add(xt + " (" + rk + ")");
            }
          }
          case "cachePoint" -> {
            object(x, xt);
            Part last = parts.isEmpty() ? null : parts.getLast();
            CacheMarker c = cache(x);
            Part marked = switch (last) {
              case Part.Text t -> new Part.Text(t.text(), c);
              case Part.Image im -> new Part.Image(im.mediaType(), im.data(), im.url(), c);
              case Part.ToolResult tr -> new Part.ToolResult(tr.toolCallId(), tr.toolName(), tr.content(), tr.error(), c);
              case null, default -> null;
            };
            if (marked == null) dropped.add(bt + " (cachePoint)");
            else parts.set(parts.size() - 1, marked);
          }
          default -> dropped.add(bt + " (" + kind + ")");
        }
      }
      out.add(new Message(role, parts));
    }
    return out;
  }

  private static Part.Image image(JsonNode x, String at) {
    object(x, at);
    String format = string(x, "format", at);
    if (!IMAGE_FORMATS.contains(format)) {
      throw Wire.invalid(at + ".format", "Member must satisfy enum value set: [png, jpeg, gif, webp]");
    }
    JsonNode source = x.get("source");
    if (source == null || source.isNull()) throw Wire.invalid(at + ".source", "Member must not be null");
    String s = member(source, at + ".source");
    if (!s.equals("bytes")) {
      throw Wire.invalid(at + ".source." + s, "images by " + s + " cannot be read through this gateway; send bytes");
    }
    String data = string(source, "bytes", at + ".source");
    if (data.isEmpty()) throw Wire.invalid(at + ".source.bytes", "Member must not be empty");
    return new Part.Image("image/" + format, data, null, null);
  }

  /** Plain-text documents become text (reported); other documents no other provider could read are refused. */
  private Part document(JsonNode x, String at) {
    object(x, at);
    String format = x.path("format").asString("");
    JsonNode source = x.path("source");
    if (TEXT_DOCUMENTS.contains(format) && source.path("bytes").isString()) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(source.path("bytes").stringValue());
      } catch (IllegalArgumentException e) {
        throw Wire.invalid(at + ".source.bytes", "Member must be base64-encoded bytes");
      }
      dropped.add(at + " (as text)");
      return Part.Text.of(new String(bytes, StandardCharsets.UTF_8));
    }
    if (source.path("text").isString()) {
      dropped.add(at + " (as text)");
      return Part.Text.of(source.path("text").stringValue());
    }
    throw Wire.invalid(at, "'" + format + "' documents cannot be sent to this model through the gateway; send "
        + "plain text");
  }

  private Part.ToolResult toolResult(JsonNode x, String at) {
    object(x, at);
    String id = string(x, "toolUseId", at);
    JsonNode content = x.get("content");
    if (content == null || content.isNull()) throw Wire.invalid(at + ".content", "Member must not be null");
    if (!content.isArray()) throw Wire.invalid(at + ".content", "Member must be a list");
    List<Part> parts = new ArrayList<>();
    int k = 0;
    for (JsonNode c : content) {
      String ct = at + ".content." + k++;
      String m = member(c, ct);
      switch (m) {
        case "text" -> parts.add(Part.Text.of(string(c, "text", ct)));
        case "json" -> parts.add(Part.Text.of(ExactJson.text(c.get("json"))));
        case "image" -> parts.add(image(c.get("image"), ct + ".image"));
        case "document" -> parts.add(document(c.get("document"), ct + ".document"));
        default -> dropped.add(ct + " (" + m + ")");
      }
    }
    boolean error = false;
    JsonNode status = x.get("status");
    if (status != null && !status.isNull()) {
      String s = status.asString("");
      if (!s.equals("success") && !s.equals("error")) {
        throw Wire.invalid(at + ".status", "Member must satisfy enum value set: [success, error]");
      }
      error = s.equals("error");
    }
    return new Part.ToolResult(Wire.idFromWire(id), null, parts, error, null);
  }

  private List<ToolDefinition> tools(JsonNode v) {
    if (!v.isArray()) throw Wire.invalid("toolConfig.tools", "Member must be a list");
    List<ToolDefinition> out = new ArrayList<>();
    int i = 0;
    for (JsonNode t : v) {
      String at = "toolConfig.tools." + i++;
      String m = member(t, at);
      JsonNode x = t.get(m);
      switch (m) {
        case "toolSpec" -> {
          object(x, at + ".toolSpec");
          String st = at + ".toolSpec";
          String name = string(x, "name", st);
          if (name.isEmpty()) throw Wire.invalid(st + ".name", "Member must have length greater than or equal to 1");
          JsonNode description = x.get("description");
          JsonNode schema = x.path("inputSchema").get("json");
          if (schema == null || schema.isNull()) throw Wire.invalid(st + ".inputSchema.json", "Member must not be null");
          boolean strict = x.path("strict").asBoolean(false);
          out.add(new ToolDefinition(name, description != null && description.isString() ? description.stringValue()
              : null, ExactJson.text(schema), strict, null));
        }
        case "cachePoint" -> {
          if (out.isEmpty()) {
            dropped.add(at + " (cachePoint)");
          } else {
            ToolDefinition last = out.getLast();
            out.set(out.size() - 1, new ToolDefinition(last.name(), last.description(), last.inputSchema(),
                last.strict(), cache(x)));
          }
        }
        default -> dropped.add(at + " (" + m + ")");
      }
    }
    return out;
  }

  private static ToolChoice toolChoice(JsonNode v) {
    String m = member(v, "toolConfig.toolChoice");
    return switch (m) {
      case "auto" -> ToolChoice.AUTO;
      case "any" -> ToolChoice.ANY;
      case "tool" -> new ToolChoice.Named(string(v.get("tool"), "name", "toolConfig.toolChoice.tool"));
      default -> throw Wire.invalid("toolConfig.toolChoice", "Member must be one of auto, any or tool, not '" + m + "'");
    };
  }
}
