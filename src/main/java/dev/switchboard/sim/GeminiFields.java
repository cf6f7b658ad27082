package dev.switchboard.sim;

import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Gemini request body as Google's proto-JSON parser does, so the simulator is as strict as the real API:
 * every field may be written in lowerCamelCase or in its proto name ({@code maxOutputTokens} or
 * {@code max_output_tokens}), an unknown field is a 400, {@code null} counts as absent, and numbers may come as JSON
 * strings. Paths in messages use proto names and {@code [i]} indices ({@code contents[1].parts[0].function_call}),
 * as Google's messages do.
 */
final class GeminiFields {
  private GeminiFields() {}

  /** {@code max_output_tokens} → {@code maxOutputTokens}; a camel name is returned as it is. */
  static String camel(String name) {
    if (name.indexOf('_') < 0) return name;
    StringBuilder sb = new StringBuilder(name.length());
    boolean up = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_' && i > 0) {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }

  /** {@code maxOutputTokens} → {@code max_output_tokens}, the form Google's messages name fields in. */
  static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) sb.append('_').append(Character.toLowerCase(c));
      else sb.append(c);
    }
    return sb.toString();
  }

  /** {@code at} + {@code .field} in proto names, or just the field at the top level. */
  static String path(String at, String camelField) {
    return at.isEmpty() ? snake(camelField) : at + "." + snake(camelField);
  }

  /** The field under either of its names, or null when absent or JSON {@code null}. */
  static JsonNode get(JsonNode obj, String camelField) {
    JsonNode v = obj.get(camelField);
    if (v == null) v = obj.get(snake(camelField));
    return v == null || v.isNull() ? null : v;
  }

  /** Refuses any field of {@code obj} not in {@code known} (camel names), as the proto parser does. */
  static void known(JsonNode obj, Set<String> known, String at) {
    for (Map.Entry<String, JsonNode> f : obj.properties()) {
      if (!known.contains(camel(f.getKey()))) {
        throw GeminiErrors.invalid("Invalid JSON payload received. Unknown name \"" + f.getKey() + "\""
            + (at.isEmpty() ? "" : " at '" + at + "'") + ": Cannot find field.");
      }
    }
  }

  /** A semantic error, in the shape Google's validation reports it. */
  static ApiError invalidField(String request, String at, String message) {
    return GeminiErrors.invalid("* " + request + (at.isEmpty() ? "" : "." + at) + ": " + message + "\n");
  }

  static ApiError badValue(String at, String type, JsonNode value) {
    return GeminiErrors.invalid("Invalid value at '" + at + "' (" + type + "), " + value);
  }

  static JsonNode object(JsonNode obj, String camelField, String at, String message) {
    JsonNode v = get(obj, camelField);
    if (v != null && !v.isObject()) {
      throw badValue(path(at, camelField), "type.googleapis.com/google.ai.generativelanguage.v1beta." + message, v);
    }
    return v;
  }

  static JsonNode array(JsonNode obj, String camelField, String at, String element) {
    JsonNode v = get(obj, camelField);
    if (v != null && !v.isArray()) throw badValue(path(at, camelField), element, v);
    return v;
  }

  static String string(JsonNode obj, String camelField, String at) {
    JsonNode v = get(obj, camelField);
    if (v == null) return null;
    if (!v.isString()) throw badValue(path(at, camelField), "TYPE_STRING", v);
    return v.stringValue();
  }

  static Boolean bool(JsonNode obj, String camelField, String at) {
    JsonNode v = get(obj, camelField);
    if (v == null) return null;
    if (!v.isBoolean()) throw badValue(path(at, camelField), "TYPE_BOOL", v);
    return v.booleanValue();
  }

  static Integer int32(JsonNode obj, String camelField, String at) {
    JsonNode v = get(obj, camelField);
    if (v == null) return null;
    if (v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
    if (v.isString()) {
      try {
        return Integer.parseInt(v.stringValue().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw badValue(path(at, camelField), "TYPE_INT32", v);
  }

  static Double number(JsonNode obj, String camelField, String at) {
    JsonNode v = get(obj, camelField);
    if (v == null) return null;
    if (v.isNumber()) return v.doubleValue();
    if (v.isString()) {
      try {
        return Double.parseDouble(v.stringValue().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw badValue(path(at, camelField), "TYPE_FLOAT", v);
  }
}
