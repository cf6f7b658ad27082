package dev.switchboard.frontdoor.openai;

import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.util.Json;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the fast path needs to know of an OpenAI request body, read in one streaming pass without building
 * a tree: the model and where its value sits, the streaming flags, and that the required fields are valid.
 * Every other field is left untouched and relayed byte for byte.
 *
 * <p>Offsets are byte offsets into the body, so {@link #rewrite} can splice without re-serialising.
 */
final class OpenAiRequest {
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  enum Kind { CHAT, EMBEDDINGS }

  final String model;
  final boolean stream;
  /** True or false when the client sent {@code stream_options.include_usage}; null when it did not. */
  final Boolean includeUsage;
  /**
   * The most output tokens the answer may have, over all its choices: the larger of {@code max_tokens} and
   * {@code max_completion_tokens} times {@code n}; null when neither is set. Budgets reserve by it.
   */
  final Integer maxOutputTokens;
  /** {@code n}: how many choices the client asked for (1 when it did not say). */
  final int choices;
  private final int objectStart;
  private final int modelStart;
  private final int modelEnd;
  private final int streamOptionsStart;
  private final int streamOptionsEnd;

  private OpenAiRequest(String model, boolean stream, Boolean includeUsage, Integer maxOutputTokens, int choices,
      int objectStart, int modelStart, int modelEnd, int streamOptionsStart, int streamOptionsEnd) {
    this.model = model;
    this.stream = stream;
    this.includeUsage = includeUsage;
    this.maxOutputTokens = maxOutputTokens;
    this.choices = choices;
    this.objectStart = objectStart;
    this.modelStart = modelStart;
    this.modelEnd = modelEnd;
    this.streamOptionsStart = streamOptionsStart;
    this.streamOptionsEnd = streamOptionsEnd;
  }

  /** Reads and validates a body; throws {@link RejectedException} with a 400 that names the field. */
  static OpenAiRequest scan(Buffer body, Kind kind) {
    ByteBuf buf = ((BufferInternal) body).getByteBuf();
    if (buf.hasArray()) {
      // Parse the heap buffer's own array: no copy of the body. Offsets then count from readerIndex.
      return scan(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes(), kind);
    }
    byte[] copy = body.getBytes();
    return scan(copy, 0, copy.length, kind);
  }

  static OpenAiRequest scan(byte[] body, Kind kind) {
    return scan(body, 0, body.length, kind);
  }

  private static OpenAiRequest scan(byte[] body, int from, int length, Kind kind) {
    try (JsonParser p = Json.MAPPER.createParser(body, from, length)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw rejected("The request body must be a JSON object, like {\"model\": \"...\", "
            + (kind == Kind.CHAT ? "\"messages\": [...]}" : "\"input\": \"...\"}") + ".", null, "invalid_json");
      }
      int objectStart = offset(p.currentTokenLocation());
      String model = null;
      int modelStart = -1;
      int modelEnd = -1;
      boolean stream = false;
      boolean sawMessages = false;
      boolean sawInput = false;
      Boolean includeUsage = null;
      int soStart = -1;
      int soEnd = -1;
      long maxTokens = -1;
      long choices = 1;
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "model" -> {
            if (t != JsonToken.VALUE_STRING) throw invalidType("model", "a string", t);
            modelStart = offset(p.currentTokenLocation());
            model = p.getString();
            modelEnd = offset(p.currentLocation());
          }
          case "messages" -> {
            if (kind == Kind.CHAT) {
              messages(p, t);
              sawMessages = true;
            } else {
              p.skipChildren();
            }
          }
          case "input" -> {
            if (t == JsonToken.VALUE_NULL) throw missing("input");
            sawInput = true;
            p.skipChildren();
          }
          // Read for the budget's worst case only; the upstream judges their values.
          case "max_tokens", "max_completion_tokens" -> {
            if (t == JsonToken.VALUE_NUMBER_INT) maxTokens = Math.max(maxTokens, Math.max(0, count(p)));
            else p.skipChildren();
          }
          case "n" -> {
            if (t == JsonToken.VALUE_NUMBER_INT) choices = Math.max(1, count(p));
            else p.skipChildren();
          }
          case "stream" -> {
            if (t == JsonToken.VALUE_TRUE) stream = true;
            else if (t != JsonToken.VALUE_FALSE && t != JsonToken.VALUE_NULL) throw invalidType("stream", "a boolean", t);
          }
          case "stream_options" -> {
            if (t == JsonToken.VALUE_NULL) break;
            if (t != JsonToken.START_OBJECT) throw invalidType("stream_options", "an object", t);
            soStart = offset(p.currentTokenLocation());
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
              String option = p.currentName();
              JsonToken v = p.nextToken();
              if ("include_usage".equals(option)) {
                if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) includeUsage = v == JsonToken.VALUE_TRUE;
                else throw invalidType("stream_options.include_usage", "a boolean", v);
              } else {
                p.skipChildren();
              }
            }
            soEnd = offset(p.currentLocation());
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw rejected("The request body has data after its JSON object; send exactly one JSON object.", null,
            "invalid_json");
      }
      if (model == null) throw missing("model");
      if (model.isBlank()) {
        throw rejected("Invalid 'model': it is empty. Name a model; GET /v1/models lists them.", "model", "invalid_value");
      }
      if (kind == Kind.CHAT && !sawMessages) throw missing("messages");
      if (kind == Kind.EMBEDDINGS && !sawInput) throw missing("input");
      if (soStart >= 0 && !stream) {
        throw rejected("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options",
            "invalid_value");
      }
      Integer maxOutput = maxTokens < 0 ? null
          : maxTokens > 0 && choices > Integer.MAX_VALUE / maxTokens ? Integer.MAX_VALUE : (int) (maxTokens * choices);
      return new OpenAiRequest(model, stream, includeUsage, maxOutput, (int) Math.min(Integer.MAX_VALUE, choices),
          objectStart, modelStart, modelEnd, soStart, soEnd);
    } catch (JacksonException e) {
      TokenStreamLocation loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      throw rejected("We could not parse the JSON body of your request: " + e.getOriginalMessage() + where
          + ". Send a valid JSON object with Content-Type: application/json.", null, "invalid_json");
    }
  }

  /** An integer field's value, saturated at Integer.MAX_VALUE (and so never a parse error). */
  private static long count(JsonParser p) {
    return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Integer.MAX_VALUE
        : Math.min(Integer.MAX_VALUE, p.getLongValue());
  }

  private static void messages(JsonParser p, JsonToken t) {
    if (t != JsonToken.START_ARRAY) throw invalidType("messages", "an array", t);
    int i = 0;
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken(), i++) {
      String at = "messages[" + i + "]";
      if (e != JsonToken.START_OBJECT) throw invalidType(at, "an object", e);
      String role = null;
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("role".equals(field)) {
          if (v != JsonToken.VALUE_STRING) throw invalidType(at + ".role", "a string", v);
          role = p.getString();
          if (!ROLES.contains(role)) {
            throw rejected("Invalid value for '" + at + ".role': '" + role + "'. Supported values are: 'system', "
                + "'developer', 'user', 'assistant', 'tool' and 'function'.", at + ".role", "invalid_value");
          }
        } else {
          p.skipChildren();
        }
      }
      if (role == null) throw missing(at + ".role");
    }
    if (i == 0) {
      throw rejected("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages",
          "empty_array");
    }
  }

  /**
   * The body to send upstream: the model replaced by {@code upstreamModel}, and, when {@code askUsage},
   * {@code stream_options.include_usage} set to true. Returns {@code body} itself when nothing changes.
   */
  Buffer rewrite(Buffer body, String upstreamModel, boolean askUsage) {
    List<Edit> edits = new ArrayList<>(2);
    if (!upstreamModel.equals(model)) {
      edits.add(new Edit(modelStart, modelEnd, quoted(upstreamModel)));
    }
    if (askUsage && !Boolean.TRUE.equals(includeUsage)) {
      if (streamOptionsStart >= 0) {
        ObjectNode options = (ObjectNode) Json.MAPPER.readTree(
            body.getBytes(streamOptionsStart, streamOptionsEnd));
        options.put("include_usage", true);
        edits.add(new Edit(streamOptionsStart, streamOptionsEnd, Json.MAPPER.writeValueAsBytes(options)));
      } else {
        byte[] insert = "\"stream_options\":{\"include_usage\":true},".getBytes(StandardCharsets.US_ASCII);
        edits.add(new Edit(objectStart + 1, objectStart + 1, insert));
      }
    }
    if (edits.isEmpty()) return body;
    edits.sort(Comparator.comparingInt(Edit::start));
    int extra = 0;
    for (Edit e : edits) extra += e.replacement.length - (e.end - e.start);
    Buffer out = Buffer.buffer(body.length() + extra);
    int pos = 0;
    for (Edit e : edits) {
      out.appendBuffer(body, pos, e.start - pos).appendBytes(e.replacement);
      pos = e.end;
    }
    return out.appendBuffer(body, pos, body.length() - pos);
  }

  private record Edit(int start, int end, byte[] replacement) {}

  /** A JSON string literal, without the cost of a mapper and a generator. */
  private static byte[] quoted(String s) {
    byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(s);
    byte[] out = new byte[inner.length + 2];
    out[0] = '"';
    System.arraycopy(inner, 0, out, 1, inner.length);
    out[out.length - 1] = '"';
    return out;
  }

  private static int offset(TokenStreamLocation loc) {
    return (int) loc.getByteOffset();
  }

  private static RejectedException missing(String field) {
    return rejected("Missing required parameter: '" + field + "'.", field, "missing_required_parameter");
  }

  private static RejectedException invalidType(String field, String expected, JsonToken got) {
    return rejected("Invalid type for '" + field + "': expected " + expected + ", but got " + describe(got)
        + " instead.", field, "invalid_type");
  }

  private static RejectedException rejected(String message, String param, String code) {
    return new RejectedException(GatewayError.invalid(message, param, code));
  }

  private static String describe(JsonToken t) {
    if (t == null) return "nothing";
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a decimal number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }
}
