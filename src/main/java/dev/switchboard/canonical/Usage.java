package dev.switchboard.canonical;

/**
 * Tokens of one exchange as the upstream reported them. {@code inputTokens} includes cached tokens
 * (OpenAI's convention); cache reads and writes are itemised. {@code estimated} marks counts Switchboard
 * had to estimate because the upstream never reported them.
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
    long reasoningTokens, boolean estimated) {

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
