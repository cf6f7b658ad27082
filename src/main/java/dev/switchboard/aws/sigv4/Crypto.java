package dev.switchboard.aws.sigv4;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SHA-256, HMAC-SHA256 and hex for SigV4. Thread-safe: {@link MessageDigest} and {@link Mac} are not, so each thread
 * keeps its own instance (the event loops are few and long-lived, which is what a thread-local suits).
 */
final class Crypto {
  private static final String HMAC_SHA256 = "HmacSHA256";
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Crypto::newSha256);
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(Crypto::newHmac);

  /** Hex SHA-256 of the empty string: the payload hash of a request without a body. */
  static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private Crypto() {}

  static String sha256Hex(String utf8) {
    return hex(SHA256.get().digest(utf8.getBytes(StandardCharsets.UTF_8)));
  }

  /** Hex SHA-256 of the remaining bytes of {@code body}; the buffer's position and limit are left as they were. */
  static String sha256Hex(ByteBuffer body) {
    MessageDigest digest = SHA256.get();
    digest.update(body.duplicate());
    return hex(digest.digest());
  }

  static byte[] hmac(byte[] key, String data) {
    return hmac(key, data.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 refused a " + key.length + "-byte key", e);
    }
    return mac.doFinal(data);
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Compares two ASCII strings (hex signatures) in time that depends only on their lengths, never on where they first
   * differ, so a caller cannot find a valid signature byte by byte by timing the answers.
   */
  static boolean constantTimeEquals(String expected, String provided) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.ISO_8859_1), provided.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Mac newHmac() {
    try {
      return Mac.getInstance(HMAC_SHA256);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
