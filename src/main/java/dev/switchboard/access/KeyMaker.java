package dev.switchboard.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes and reads the shape of virtual keys: {@code sk-sbv-<id><secret>}, where the id is 12 lower-case characters
 * (also the key's identifier, so a presented key is found by id and then compared by hash in constant time) and the
 * secret 43 characters of base64url (256 random bits). SigV4 pairs: access key id {@code SBAK<16 upper-case>}, and
 * a 40-character secret. Stateless.
 */
public final class KeyMaker {
  public static final String PREFIX = "sk-sbv-";
  static final int ID_LENGTH = 12;
  private static final int KEY_LENGTH = PREFIX.length() + ID_LENGTH + 43;
  private static final char[] ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
  private static final char[] AK_CHARS = "ABCDEFGHIJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyMaker() {}

  public static String newId() {
    return random(ID_CHARS, ID_LENGTH);
  }

  public static String newTeamId() {
    return "team_" + random(ID_CHARS, ID_LENGTH);
  }

  /** The whole key for {@code id}: shown once, never stored. */
  public static String newKey(String id) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return PREFIX + id + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The id inside a presented key, or null when it is not shaped like a virtual key. */
  public static String idOf(String presented) {
    if (presented == null || presented.length() != KEY_LENGTH || !presented.startsWith(PREFIX)) return null;
    return presented.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
  }

  /** The part safe to show in lists and logs. */
  public static String prefixOf(String id) {
    return PREFIX + id;
  }

  public static String newAccessKeyId() {
    return "SBAK" + random(AK_CHARS, 16);
  }

  public static String newSecretAccessKey() {
    byte[] secret = new byte[30];
    RANDOM.nextBytes(secret);
    return Base64.getEncoder().encodeToString(secret); // 40 characters, like AWS's
  }

  public static String hash(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  /** Compares a presented key with a stored hash in time independent of where they differ. */
  public static boolean matches(String presented, String storedHash) {
    return MessageDigest.isEqual(sha256(presented), HexFormat.of().parseHex(storedHash));
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String random(char[] alphabet, int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
    return new String(out);
  }
}
