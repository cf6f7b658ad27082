package dev.switchboard.canonical;

import java.util.Objects;

/** Whether and which tool the model must call. Absent (null in a request) means the provider's default. */
public sealed interface ToolChoice {
  /** The model decides. */
  record Auto() implements ToolChoice {}

  /** No tool may be called. (Bedrock has no such choice: its encoder omits the tools' choice instead.) */
  record None() implements ToolChoice {}

  /** Some tool must be called. */
  record Any() implements ToolChoice {}

  /** This tool must be called. */
  record Named(String name) implements ToolChoice {
    public Named {
      Objects.requireNonNull(name, "name");
    }
  }

  ToolChoice AUTO = new Auto();
  ToolChoice NONE = new None();
  ToolChoice ANY = new Any();
}
