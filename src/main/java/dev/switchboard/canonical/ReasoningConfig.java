package dev.switchboard.canonical;

/**
 * How much the model should reason before answering: an effort level (OpenAI's {@code reasoning_effort})
 * or a token budget (Anthropic's and Bedrock's {@code thinking.budget_tokens}, Gemini's
 * {@code thinkingBudget}). Codecs convert one into the other where a provider knows only one.
 *
 * @param effort {@code minimal}, {@code low}, {@code medium} or {@code high}, or null
 * @param budgetTokens a budget, or null
 */
public record ReasoningConfig(String effort, Integer budgetTokens) {}
