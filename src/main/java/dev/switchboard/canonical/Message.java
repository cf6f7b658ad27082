package dev.switchboard.canonical;

import java.util.List;
import java.util.Objects;

/** One turn of the conversation. */
public record Message(Role role, List<Part> parts) {
  public Message {
    Objects.requireNonNull(role, "role");
    parts = List.copyOf(parts);
  }
}
