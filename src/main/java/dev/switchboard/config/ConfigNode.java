package dev.switchboard.config;

import java.util.List;
import java.util.Map;

/**
 * One value of the config file with where it was written, so that every validation error can name
 * file:line:column. The value is a {@code Map<String, ConfigNode>}, a {@code List<ConfigNode>}, a String,
 * Number or Boolean, or null.
 */
record ConfigNode(Object value, String path, String where) {

  @SuppressWarnings("unchecked")
  Map<String, ConfigNode> map() {
    if (value instanceof Map<?, ?> m) return (Map<String, ConfigNode>) m;
    throw error("expected a mapping of settings, got " + describe());
  }

  @SuppressWarnings("unchecked")
  List<ConfigNode> list() {
    if (value instanceof List<?> l) return (List<ConfigNode>) l;
    throw error("expected a list, got " + describe());
  }

  String text() {
    if (value instanceof String s) return s;
    if (value instanceof Number || value instanceof Boolean) return String.valueOf(value);
    throw error("expected a text value, got " + describe());
  }

  boolean bool() {
    if (value instanceof Boolean b) return b;
    throw error("expected true or false, got " + describe());
  }

  int integer(int min, int max) {
    if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= min && n.longValue() <= max) {
      return n.intValue();
    }
    throw error("expected a whole number from " + min + " to " + max + ", got " + describe());
  }

  ConfigException error(String reason) {
    return new ConfigException(where + ": " + path + ": " + reason);
  }

  String describe() {
    if (value == null) return "nothing";
    if (value instanceof Map) return "a mapping";
    if (value instanceof List) return "a list";
    if (value instanceof String s) return "'" + s + "'";
    return String.valueOf(value);
  }
}
