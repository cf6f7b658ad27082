package dev.switchboard.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic filler text: words from a fixed list, chosen by a PRNG seeded from the deployment seed and the prompt.
 * Only words that are one cl100k token both alone and after a space are kept, so {@code n} words are exactly
 * {@code n} tokens.
 */
final class Words {
  private static final List<String> CANDIDATES = List.of(
      "the", "model", "answer", "signal", "river", "stone", "cloud", "north", "quiet", "bright", "simple", "time",
      "world", "system", "network", "value", "energy", "garden", "window", "orange", "silver", "market", "engine",
      "light", "water", "green", "blue", "small", "large", "fast", "slow", "open", "close", "route", "switch", "board",
      "data", "field", "table", "paper", "music", "story", "city", "road", "house", "forest", "ocean", "mountain",
      "summer", "winter", "morning", "evening", "friend", "family", "number", "letter", "message", "question", "idea",
      "plan", "power", "money", "price", "order", "point", "line", "group", "team", "game", "level", "place", "state",
      "year", "day", "week", "month", "hour", "minute", "second", "first", "last", "next", "good", "great", "new",
      "old", "long", "short", "high", "low", "early", "late", "right", "left", "true", "clear", "strong", "free",
      "and", "with", "from", "over", "under", "about", "after", "before", "between", "through", "during", "without");
  static final List<String> WORDS = CANDIDATES.stream()
      .filter(w -> Tokens.count(w) == 1 && Tokens.count(" " + w) == 1)
      .toList();

  private Words() {}

  static String generate(long seed, int count) {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(count * 7);
    for (int i = 0; i < count; i++) {
      if (i > 0) sb.append(' ');
      sb.append(WORDS.get(rng.nextInt(WORDS.size())));
    }
    return sb.toString();
  }

  /** Mixes several values into one well-spread seed (splitmix64 finaliser). */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Start value for {@link #hash}. */
  static final long HASH_START = 0xcbf29ce484222325L;

  /** Continues a 64-bit FNV-1a hash over the string's chars (stable across JVMs and runs). */
  static long hash(long h, CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
