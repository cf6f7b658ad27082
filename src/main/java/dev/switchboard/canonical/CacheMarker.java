package dev.switchboard.canonical;

/**
 * A prompt-cache breakpoint after the part that carries it: Anthropic's {@code cache_control}, Bedrock's
 * {@code cachePoint}. Providers without explicit caching ignore it (and say so when translating).
 *
 * @param ttl the requested lifetime as the client sent it (e.g. {@code 5m}, {@code 1h}), or null for the
 *     provider's default
 */
public record CacheMarker(String ttl) {
  public static final CacheMarker DEFAULT = new CacheMarker(null);
}
