package dev.switchboard.access;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the key a request carries. Thread-safe and allocation-light: the expected key is kept only as a
 * SHA-256 digest and compared in constant time.
 */
public final class Authenticator {
  private final byte[] expectedDigest;

  public Authenticator(MasterKey masterKey) {
    this.expectedDigest = sha256(masterKey.value());
  }

  /** The outcome of checking one request. */
  public enum Verdict { OK, MISSING, INVALID }

  /** Accepts {@code Authorization: Bearer <key>} and {@code x-api-key: <key>}. */
  public Verdict check(HttpServerRequest request) {
    String key = presentedKey(request);
    if (key == null || key.isEmpty()) return Verdict.MISSING;
    return MessageDigest.isEqual(sha256(key), expectedDigest) ? Verdict.OK : Verdict.INVALID;
  }

  static String presentedKey(HttpServerRequest request) {
    String auth = request.getHeader("authorization");
    if (auth != null) {
      if (auth.length() > 7 && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
      return "";
    }
    return request.getHeader("x-api-key");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
