package dev.switchboard.codec.openai;

import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import tools.jackson.databind.JsonNode;

/**
 * The 400s a client sees for a request it got wrong, worded and coded as OpenAI words them
 * ({@code Invalid type for 'messages[0].content': expected ...}), with the field in {@code param}.
 */
final class Rejections {
  private Rejections() {}

  static RejectedException rejected(String message, String param, String code) {
    return new RejectedException(GatewayError.invalid(message, param, code));
  }

  static RejectedException missing(String field) {
    return rejected("Missing required parameter: '" + field + "'.", field, "missing_required_parameter");
  }

  static RejectedException invalidType(String field, String expected, JsonNode got) {
    return rejected("Invalid type for '" + field + "': expected " + expected + ", but got " + describe(got)
        + " instead.", field, "invalid_type");
  }

  static RejectedException invalidValue(String field, String detail) {
    return rejected("Invalid value for '" + field + "': " + detail, field, "invalid_value");
  }

  static RejectedException unsupported(String field, String detail) {
    return rejected("Unsupported value for '" + field + "': " + detail, field, "unsupported_value");
  }

  static RejectedException emptyArray(String field) {
    return rejected("Invalid '" + field + "': empty array. Expected an array with minimum length 1, but got an empty "
        + "array instead.", field, "empty_array");
  }

  static RejectedException outOfRange(String field, boolean integer, boolean above, String bound, JsonNode got) {
    String kind = integer ? "integer" : "decimal";
    return rejected("Invalid '" + field + "': " + kind + (above ? " above maximum" : " below minimum") + " value. "
        + "Expected a value " + (above ? "<= " : ">= ") + bound + ", but got " + got + " instead.", field,
        kind + (above ? "_above_max_value" : "_below_min_value"));
  }

  static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) return "nothing";
    return switch (n.getNodeType()) {
      case OBJECT, POJO -> "an object";
      case ARRAY -> "an array";
      case STRING, BINARY -> "a string";
      case NUMBER -> n.isIntegralNumber() ? "an integer" : "a decimal number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case MISSING -> "nothing";
    };
  }
}
