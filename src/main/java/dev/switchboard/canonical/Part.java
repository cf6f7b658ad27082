package dev.switchboard.canonical;

import java.util.List;
import java.util.Objects;

/** One piece of a message's content. */
public sealed interface Part {

  /** Text. @param cache a cache breakpoint after this part, or null */
  record Text(String text, CacheMarker cache) implements Part {
    public Text {
      Objects.requireNonNull(text, "text");
    }

    public static Text of(String text) {
      return new Text(text, null);
    }
  }

  /**
   * An image, either inline ({@code mediaType} and base64 {@code data}) or by {@code url}; exactly one of
   * the two forms is set.
   */
  record Image(String mediaType, String data, String url, CacheMarker cache) implements Part {
    public Image {
      if ((data == null) == (url == null)) {
        throw new IllegalArgumentException("an image has either inline data or a url, not both or neither");
      }
    }
  }

  /**
   * The model asks for a tool to be called.
   *
   * @param id the call's id as the upstream gave it (front doors map ids to their own patterns)
   * @param arguments the arguments as JSON text (an object); OpenAI sends it as a string, the others as
   *     an object, both are kept here as the same text
   * @param signature an opaque signature that must be replayed with the call (Gemini's thought
   *     signature), or null
   */
  record ToolCall(String id, String name, String arguments, String signature) implements Part {
    public ToolCall {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(arguments, "arguments");
    }
  }

  /**
   * The result of a tool call, sent back by the client.
   *
   * @param toolName the called tool's name when known (Gemini matches results by name), or null
   * @param content text and image parts
   * @param error true when the tool failed
   */
  record ToolResult(String toolCallId, String toolName, List<Part> content, boolean error, CacheMarker cache)
      implements Part {
    public ToolResult {
      Objects.requireNonNull(toolCallId, "toolCallId");
      content = List.copyOf(content);
    }
  }

  /**
   * The model's visible reasoning (Anthropic thinking, Bedrock reasoningContent, OpenAI-compatible
   * {@code reasoning_content}).
   *
   * @param signature the provider's signature over it, which must be echoed back unchanged, or null
   */
  record Reasoning(String text, String signature) implements Part {
    public Reasoning {
      Objects.requireNonNull(text, "text");
    }
  }

  /** Reasoning the provider returned encrypted; echoed back unchanged, never shown. */
  record RedactedReasoning(String data) implements Part {
    public RedactedReasoning {
      Objects.requireNonNull(data, "data");
    }
  }
}
