package dev.switchboard.aws.sigv4;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Signing keys, derived once per (secret, date, region, service) and then reused: the derivation is four HMACs and the
 * inputs change once a day, so a request pays one HMAC for its signature instead of five. Thread-safe.
 *
 * <p>The cache is bounded by clearing it whenever it would grow past {@link #MAX_ENTRIES}; that only happens with
 * very many keys or regions, and costs a re-derivation per key, not a failure. Returned arrays are shared: callers must
 * not modify them.
 */
final class SigningKeys {
  static final int MAX_ENTRIES = 1024;

  private final ConcurrentHashMap<Scope, byte[]> keys = new ConcurrentHashMap<>();
  private final LongAdder derivations = new LongAdder();

  byte[] get(String secret, String date, String region, String service) {
    Scope scope = new Scope(secret, date, region, service);
    byte[] key = keys.get(scope);
    if (key != null) return key;
    key = derive(secret, date, region, service);
    derivations.increment();
    if (keys.size() >= MAX_ENTRIES) keys.clear();
    keys.put(scope, key);
    return key;
  }

  /** How many keys were derived rather than found: tests use it to prove the hot path reuses them. */
  long derivations() {
    return derivations.sum();
  }

  static byte[] derive(String secret, String date, String region, String service) {
    byte[] key = Crypto.hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    key = Crypto.hmac(key, region);
    key = Crypto.hmac(key, service);
    return Crypto.hmac(key, "aws4_request");
  }

  /** A cache key. It holds the secret, so it never prints it. */
  private record Scope(String secret, String date, String region, String service) {
    @Override
    public String toString() {
      return "Scope[" + date + "/" + region + "/" + service + ", secret=<redacted>]";
    }
  }
}
