package dev.switchboard.sim;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The opaque thought signatures the simulator puts on the function calls it makes, as Gemini 3 does (PROTOCOLS.md 4),
 * and the check that a replayed one is the simulator's own.
 *
 * <p>A signature is standard base64 of {@code simsig1:<function name>:<16 hex digits>}, a zero byte, and
 * {@value #FILLER} bytes drawn from those digits; the digits come from the prompt and the candidate, so the same
 * request gets the same signature. The filler gives it the length of a real signature (hundreds of characters), which
 * matters to a gateway that must carry it through a client protocol's tool-call id. Every signature starts with
 * {@value #MARK} (the base64 of {@code simsig1}), which makes them easy to spot in a gateway's logs without inviting
 * anyone to parse them. Because a signature names its function, a gateway that puts one call's signature on another
 * call is caught as surely as one that drops it.
 */
final class ThoughtSignatures {
  /** How every signature the simulator issues begins. */
  static final String MARK = "c2ltc2lnMT";
  static final int FILLER = 240;
  private static final String PREFIX = "simsig1:";

  private ThoughtSignatures() {}

  /** The signature for a call of {@code function} made in answer to the prompt with {@code promptHash}. */
  static String issue(String function, long promptHash, int candidate) {
    long digest = Words.mix(Words.mix(promptHash, candidate), Words.hash(Words.HASH_START, function));
    byte[] head = (PREFIX + function + ":" + HexFormat.of().toHexDigits(digest)).getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(head, head.length + 1 + FILLER);
    System.arraycopy(filler(digest), 0, all, head.length + 1, FILLER);
    return Base64.getEncoder().encodeToString(all);
  }

  /** The function a signature was issued for, or null if {@code signature} is not one the simulator issued. */
  static String issuedFor(String signature) {
    byte[] all;
    try {
      all = Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int zero = 0;
    while (zero < all.length && all[zero] != 0) zero++;
    if (zero + 1 + FILLER != all.length) return null;
    String head;
    try {
      head = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(all, 0, zero)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int colon = head.lastIndexOf(':');
    if (!head.startsWith(PREFIX) || colon < PREFIX.length() || head.length() - colon - 1 != 16) return null;
    long digest;
    try {
      digest = HexFormat.fromHexDigitsToLong(head.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!Arrays.equals(filler(digest), 0, FILLER, all, zero + 1, all.length)) return null;
    return head.substring(PREFIX.length(), colon);
  }

  /** True if {@code signature} is proto-JSON {@code bytes}: base64, standard or URL-safe, padded or not. */
  static boolean isBase64(String signature) {
    try {
      String s = signature.replace('-', '+').replace('_', '/');
      Base64.getDecoder().decode(s.length() % 4 == 0 ? s : s + "=".repeat(4 - s.length() % 4));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] filler(long digest) {
    byte[] b = new byte[FILLER];
    new SplittableRandom(digest).nextBytes(b);
    return b;
  }
}
