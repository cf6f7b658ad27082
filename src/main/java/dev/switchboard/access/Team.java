package dev.switchboard.access;

import java.util.List;
import java.util.Map;

/**
 * A group of keys that shares limits and budgets: a team's limits and budgets hold over all its keys together, on
 * top of each key's own.
 *
 * @param id stable identifier ({@code team_…})
 * @param name unique, chosen by the administrator
 */
public record Team(String id, String name, Limits limits, List<Budget> budgets, Map<String, String> metadata,
    long createdMillis) {
  public Team {
    limits = limits == null ? Limits.NONE : limits;
    budgets = budgets == null ? List.of() : List.copyOf(budgets);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
