package dev.switchboard.store;

import dev.switchboard.access.Budget;
import dev.switchboard.access.Limits;
import dev.switchboard.util.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON documents a store keeps for a team's and a key's settings. */
final class Specs {
  private Specs() {}

  /** @param logContent null in documents written before content logging existed: off */
  record TeamSpec(Limits limits, List<Budget> budgets, Map<String, String> metadata, Boolean logContent) {
    boolean logsContent() {
      return Boolean.TRUE.equals(logContent);
    }
  }

  /** @param logContent null in documents written before content logging existed: off */
  record KeySpec(Set<String> models, Limits limits, List<Budget> budgets, Map<String, String> metadata,
      Boolean logContent) {
    boolean logsContent() {
      return Boolean.TRUE.equals(logContent);
    }
  }

  static String write(Object spec) {
    return Json.MAPPER.writeValueAsString(spec);
  }

  static <T> T read(String json, Class<T> type) {
    return Json.MAPPER.readValue(json, type);
  }
}
