package dev.switchboard.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads a YAML file into {@link ConfigNode}s that remember their line and column. */
final class YamlTree {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private final String file;
  private final JsonParser parser;

  private YamlTree(String file, JsonParser parser) {
    this.file = file;
    this.parser = parser;
  }

  static ConfigNode read(Path path, String text) {
    String file = path.toString();
    try (JsonParser p = YAML.createParser(text)) {
      YamlTree tree = new YamlTree(file, p);
      JsonToken first = p.nextToken();
      if (first == null) return new ConfigNode(Map.of(), "(top)", file + ":1:1");
      return tree.value(first, "(top)");
    } catch (JacksonException e) {
      TokenStreamLocation loc = e.getLocation();
      String where = loc == null ? file : file + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
      throw new ConfigException(where + ": not valid YAML: " + e.getOriginalMessage());
    }
  }

  private ConfigNode value(JsonToken token, String path) {
    String where = where();
    switch (token) {
      case START_OBJECT -> {
        Map<String, ConfigNode> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          String child = "(top)".equals(path) ? name : path + "." + name;
          map.put(name, value(parser.nextToken(), child));
        }
        return new ConfigNode(map, path, where);
      }
      case START_ARRAY -> {
        List<ConfigNode> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(value(t, path + "[" + list.size() + "]"));
        }
        return new ConfigNode(list, path, where);
      }
      case VALUE_STRING -> {
        return new ConfigNode(parser.getString(), path, where);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new ConfigNode(parser.getNumberValue(), path, where);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new ConfigNode(token == JsonToken.VALUE_TRUE, path, where);
      }
      case VALUE_NULL -> {
        return new ConfigNode(null, path, where);
      }
      default -> throw new ConfigException(where + ": " + path + ": unsupported YAML value " + token);
    }
  }

  private String where() {
    TokenStreamLocation loc = parser.currentTokenLocation();
    return file + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
  }
}
