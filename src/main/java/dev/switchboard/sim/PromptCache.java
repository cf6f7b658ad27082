package dev.switchboard.sim;

import dev.switchboard.util.Checks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prompt prefixes one deployment has cached, as Anthropic's and Bedrock's prompt caching would have: the first
 * request with a given {@link Prompt.CachePrefix} writes it, later ones read it. Entries never expire (real caches
 * drop a prefix after 5 minutes or an hour unused); the least recently used is evicted beyond the capacity, which
 * bounds the memory at a few dozen bytes per entry.
 *
 * <p>Thread-safe: the event loops of all the deployment's connections share one instance.
 */
final class PromptCache {
  static final int DEFAULT_CAPACITY = 4096;

  private final Map<Long, Boolean> prefixes;

  PromptCache(int capacity) {
    Checks.argument(capacity > 0, "capacity : %s (expected: > 0)", capacity);
    this.prefixes = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * How a prompt of {@code promptTokens} divides into uncached input, cache reads and cache writes, given its cache
   * prefix ({@code null}: none marked); caches the prefix if it was not.
   */
  PromptUsage use(int promptTokens, Prompt.CachePrefix prefix) {
    if (prefix == null) return new PromptUsage(promptTokens, 0, 0);
    int rest = promptTokens - prefix.tokens();
    return cached(prefix.hash())
        ? new PromptUsage(rest, prefix.tokens(), 0)
        : new PromptUsage(rest, 0, prefix.tokens());
  }

  /** True if {@code hash} was cached (and refreshes it); otherwise caches it and returns false. */
  private synchronized boolean cached(long hash) {
    return prefixes.put(hash, Boolean.TRUE) != null;
  }
}
