package dev.switchboard.access;

import io.vertx.core.http.HttpServerRequest;
import java.security.MessageDigest;

/**
 * Checks the key a request carries: the master key, or a virtual key from the {@link KeyRing}. Keys are compared
 * by SHA-256 digest in constant time; a virtual key is found by the id inside it first. Thread-safe, and it never
 * blocks: the ring is in memory.
 */
public final class Authenticator {
  private final byte[] masterDigest;
  private final KeyRing ring;

  public Authenticator(MasterKey masterKey, KeyRing ring) {
    this.masterDigest = KeyMaker.sha256(masterKey.value());
    this.ring = ring;
  }

  /** The outcome of checking one request: the caller, or why not. */
  public enum Verdict { OK, MISSING, INVALID, REVOKED, EXPIRED }

  /** A verdict and, when OK, who the caller is. */
  public record Check(Verdict verdict, Principal principal) {
    static final Check MISSING = new Check(Verdict.MISSING, null);
    static final Check INVALID = new Check(Verdict.INVALID, null);
    static final Check MASTER = new Check(Verdict.OK, Principal.MASTER);
  }

  /** Accepts {@code Authorization: Bearer <key>} and {@code x-api-key: <key>}. */
  public Check check(HttpServerRequest request) {
    return check(presentedKey(request), System.currentTimeMillis());
  }

  /** Checks a presented bearer key. */
  public Check check(String key, long nowMillis) {
    if (key == null || key.isEmpty()) return Check.MISSING;
    String id = KeyMaker.idOf(key);
    if (id == null) return MessageDigest.isEqual(KeyMaker.sha256(key), masterDigest) ? Check.MASTER : Check.INVALID;
    VirtualKey vk = ring.key(id);
    if (vk == null || !KeyMaker.matches(key, vk.hash())) return Check.INVALID;
    return admit(vk, nowMillis);
  }

  /** The caller behind a SigV4 access key id whose signature has been verified. */
  public Check checkAccessKey(String accessKeyId, long nowMillis) {
    VirtualKey vk = ring.keyByAccessKeyId(accessKeyId);
    return vk == null ? Check.INVALID : admit(vk, nowMillis);
  }

  private Check admit(VirtualKey vk, long nowMillis) {
    if (!vk.enabled()) return new Check(Verdict.REVOKED, null);
    if (vk.expired(nowMillis)) return new Check(Verdict.EXPIRED, null);
    return new Check(Verdict.OK, new Principal(vk, ring.team(vk.teamId())));
  }

  static String presentedKey(HttpServerRequest request) {
    String auth = request.getHeader("authorization");
    if (auth != null) {
      if (auth.length() > 7 && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
      return "";
    }
    return request.getHeader("x-api-key");
  }
}
