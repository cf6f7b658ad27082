package dev.switchboard.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets kept at rest (provider credentials, SigV4 secrets of virtual keys) with AES-256-GCM under the
 * master encryption key: {@code SWITCHBOARD_ENCRYPTION_KEY} (32 bytes, base64), or {@code encryption.key} in the
 * state directory, generated with owner-only permissions on first start. A sealed value reads
 * {@code enc:v1:<base64 of nonce, ciphertext and tag>}. Thread-safe.
 */
public final class SecretBox {
  public static final String PREFIX = "enc:v1:";
  static final String FILE = "encryption.key";
  static final String ENV = "SWITCHBOARD_ENCRYPTION_KEY";
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final String origin;

  private SecretBox(byte[] key, String origin) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the encryption key from " + origin + " must be 32 bytes (base64 of 32 "
          + "random bytes, as 'openssl rand -base64 32' prints), not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
    this.origin = origin;
  }

  /** For tests and tools: a box under {@code key} (32 bytes). */
  public static SecretBox of(byte[] key) {
    return new SecretBox(key.clone(), "given key");
  }

  /** The master encryption key from the environment, else from (or newly into) {@code home/encryption.key}. */
  public static SecretBox load(Path home, Function<String, String> env) {
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) return new SecretBox(decode(fromEnv.trim(), ENV), ENV);
    Path file = home.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return new SecretBox(decode(Files.readString(file, StandardCharsets.UTF_8).trim(), file.toString()),
            file.toString());
      }
      Files.createDirectories(home);
      byte[] fresh = new byte[32];
      RANDOM.nextBytes(fresh);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        return load(home, env); // another process made it first: use theirs
      }
      Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.UTF_8);
      return new SecretBox(fresh, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the encryption key " + file + " (set " + ENV
          + " or make the state directory writable)", e);
    }
  }

  /**
   * The master encryption key if one exists (in the environment or in {@code home/encryption.key}), never creating
   * one: a value encrypted earlier can only open under a key that existed then, so a fresh key would only turn "no
   * key" into a misleading "wrong key".
   *
   * @throws IllegalStateException when there is none; the message names both places looked at
   */
  public static SecretBox existing(Path home, Function<String, String> env) {
    String fromEnv = env.apply(ENV);
    Path file = home.resolve(FILE);
    if ((fromEnv == null || fromEnv.isBlank()) && !Files.exists(file)) {
      throw new IllegalStateException("there is no encryption key: " + ENV + " is not set and " + file
          + " does not exist. Set " + ENV + " or restore encryption.key from the backup of the state directory "
          + "that encrypted these values");
    }
    return load(home, env);
  }

  /** Where {@link #load} takes the key from, without reading or creating it: for {@code secrets status}. */
  public static String source(Path home, Function<String, String> env) {
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) return "the environment variable " + ENV;
    Path file = home.resolve(FILE);
    return Files.exists(file) ? "the key file " + file
        : "the key file " + file + " (not there yet: it is created on first use)";
  }

  private static byte[] decode(String b64, String origin) {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the encryption key from " + origin + " is not base64 (make one with "
          + "'openssl rand -base64 32')", e);
    }
  }

  public String origin() {
    return origin;
  }

  public static boolean sealed(String value) {
    return value != null && value.startsWith(PREFIX);
  }

  public String seal(String plaintext) {
    try {
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE + ct.length];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      System.arraycopy(ct, 0, out, NONCE, ct.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is missing from this JVM", e);
    }
  }

  /**
   * @throws IllegalArgumentException when the value is not sealed, or not under this key (the message says which
   *     key was tried, never the value)
   */
  public String open(String sealed) {
    if (!sealed(sealed)) throw new IllegalArgumentException("not an encrypted value (it must start with " + PREFIX + ")");
    try {
      byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
      return new String(c.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("cannot decrypt a stored secret with the encryption key from " + origin
          + ": it was encrypted under another key, or is damaged", e);
    }
  }

  @Override
  public String toString() {
    return "SecretBox[" + origin + "]";
  }
}
