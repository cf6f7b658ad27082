package dev.switchboard.util;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** The one shared, thread-safe JSON factory and mapper. Hot paths use {@link #FACTORY} streaming only. */
public final class Json {
  public static final JsonMapper MAPPER = JsonMapper.builder().build();
  public static final JsonFactory FACTORY = MAPPER.tokenStreamFactory() instanceof JsonFactory f ? f : new JsonFactory();

  private Json() {}
}
