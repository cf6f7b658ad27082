package dev.switchboard.access;

import java.util.List;
import java.util.Map;

/**
 * A group of keys that shares limits and budgets: a team's limits and budgets hold over all its keys together, on
 * top of each key's own.
 *
 * @param id stable identifier ({@code team_…})
 * @param name unique, chosen by the administrator
 * @param logContent true when the request log keeps the prompts and answers of every key of the team (secrets
 *     redacted), whatever each key says; off unless an administrator turned it on
 */
public record Team(String id, String name, Limits limits, List<Budget> budgets, Map<String, String> metadata,
    long createdMillis, boolean logContent) {
  public Team {
    limits = limits == null ? Limits.NONE : limits;
    budgets = budgets == null ? List.of() : List.copyOf(budgets);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** Without content logging, the default. */
  public Team(String id, String name, Limits limits, List<Budget> budgets, Map<String, String> metadata,
      long createdMillis) {
    this(id, name, limits, budgets, metadata, createdMillis, false);
  }
}
