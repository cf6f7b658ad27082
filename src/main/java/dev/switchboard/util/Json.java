package dev.switchboard.util;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** The one shared, thread-safe JSON mapper. Hot paths use its streaming parsers and generators only. */
public final class Json {
  public static final JsonMapper MAPPER = JsonMapper.builder().build();
  public static final JsonFactory FACTORY = (JsonFactory) MAPPER.tokenStreamFactory();

  private Json() {}
}
