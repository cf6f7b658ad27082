package dev.switchboard.sim;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The opaque thought signatures the simulator puts on the function calls it makes, as Gemini 3 does (PROTOCOLS.md 4),
 * and the check that a replayed one is the simulator's own.
 *
 * <p>A signature is standard base64 of {@code simsig1:<function name>:<16 hex digits>}, the digits derived from the
 * prompt and the candidate, so the same request gets the same signature. Every one starts with {@value #MARK} (the
 * base64 of {@code simsig1}), which makes them easy to spot in a gateway's logs without inviting anyone to parse
 * them. Because a signature names its function, a gateway that puts one call's signature on another call is caught
 * as surely as one that drops it.
 */
final class ThoughtSignatures {
  /** How every signature the simulator issues begins. */
  static final String MARK = "c2ltc2lnMT";
  private static final String PREFIX = "simsig1:";

  private ThoughtSignatures() {}

  /** The signature for a call of {@code function} made in answer to the prompt with {@code promptHash}. */
  static String issue(String function, long promptHash, int candidate) {
    long digest = Words.mix(Words.mix(promptHash, candidate), Words.hash(Words.HASH_START, function));
    String plain = PREFIX + function + ":" + HexFormat.of().toHexDigits(digest);
    return Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** The function a signature was issued for, or null if {@code signature} is not one the simulator issued. */
  static String issuedFor(String signature) {
    String plain;
    try {
      byte[] bytes = Base64.getDecoder().decode(signature);
      plain = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
    int colon = plain.lastIndexOf(':');
    if (!plain.startsWith(PREFIX) || colon < PREFIX.length() || plain.length() - colon - 1 != 16) return null;
    String digest = plain.substring(colon + 1);
    for (int i = 0; i < digest.length(); i++) {
      if (Character.digit(digest.charAt(i), 16) < 0) return null;
    }
    return plain.substring(PREFIX.length(), colon);
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
}
