package dev.switchboard.canonical;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat request in no protocol's shape (see the package documentation for the conventions).
 *
 * @param model the logical model name the client asked for
 * @param system the system prompt (OpenAI system and developer messages, Anthropic and Bedrock
 *     {@code system}, Gemini {@code systemInstruction}); empty when none
 * @param tools empty when none
 * @param toolChoice null for the provider's default
 * @param parallelToolCalls null for the provider's default
 * @param maxOutputTokens null when the client set none (Anthropic requires one: its encoder supplies the
 *     model's maximum)
 * @param stopSequences empty when none
 * @param outputFormat null for free text
 * @param reasoning null for the provider's default
 * @param metadata the client's metadata (OpenAI {@code metadata}, Anthropic {@code metadata.user_id}
 *     as {@code user_id}); empty when none
 * @param user the end user's id for abuse monitoring, or null
 * @param choices how many alternative answers (OpenAI's {@code n}); 1 unless asked
 */
public record ChatRequest(
    String model,
    List<Part.Text> system,
    List<Message> messages,
    List<ToolDefinition> tools,
    ToolChoice toolChoice,
    Boolean parallelToolCalls,
    Sampling sampling,
    Integer maxOutputTokens,
    List<String> stopSequences,
    OutputFormat outputFormat,
    ReasoningConfig reasoning,
    Map<String, String> metadata,
    String user,
    boolean stream,
    int choices) {

  public ChatRequest {
    Objects.requireNonNull(model, "model");
    system = List.copyOf(system);
    messages = List.copyOf(messages);
    if (messages.isEmpty()) throw new IllegalArgumentException("messages : [] (expected: at least one)");
    tools = List.copyOf(tools);
    sampling = sampling == null ? Sampling.DEFAULT : sampling;
    stopSequences = List.copyOf(stopSequences);
    metadata = Map.copyOf(metadata);
    if (choices < 1) throw new IllegalArgumentException("choices : " + choices + " (expected: >= 1)");
  }
}
