package dev.switchboard.sim;

/**
 * How one request's prompt tokens divide, once the deployment's {@link PromptCache} was consulted. The three parts add
 * up to the prompt tokens; a request without cache markers has only {@code inputTokens}.
 *
 * @param inputTokens tokens neither read from nor written to the cache (Anthropic {@code input_tokens}, Bedrock
 *     {@code inputTokens})
 * @param cacheReadTokens the cached prefix's tokens when it was found ({@code cache_read_input_tokens})
 * @param cacheWriteTokens the prefix's tokens when it was cached by this request ({@code cache_creation_input_tokens})
 */
record PromptUsage(int inputTokens, int cacheReadTokens, int cacheWriteTokens) {
  /** All prompt tokens, cached or not (OpenAI {@code prompt_tokens}). */
  int total() {
    return inputTokens + cacheReadTokens + cacheWriteTokens;
  }
}
