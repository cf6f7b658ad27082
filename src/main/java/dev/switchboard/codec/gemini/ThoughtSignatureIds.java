package dev.switchboard.codec.gemini;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Carries a Gemini thought signature inside the tool-call id handed to a client, so that the signature comes back
 * when the client replays the call, as Gemini 3 requires (PROTOCOLS.md 4), with no state in the gateway: OpenAI,
 * Anthropic and Bedrock clients keep only the call's id, name and arguments.
 *
 * <p>A signed call's id is {@value #PREFIX} followed by the unpadded base64url of: one byte saying how the signature
 * is stored ({@code b}: the bytes of a canonical base64 signature, which keeps the id as short as the signature
 * itself; {@code t}: its UTF-8 text), two bytes (big-endian) of the original id's UTF-8 length, the original id, then
 * the signature. The alphabet is {@code [A-Za-z0-9_-]}, which every client protocol accepts as it is, so the front
 * doors pass such an id through unchanged. An id is read back only if re-encoding what it decodes to gives the same
 * id, so a client's own id that merely starts with the prefix is left alone. Unsigned calls keep their plain id.
 * All methods are pure and thread-safe.
 */
final class ThoughtSignatureIds {
  static final String PREFIX = "gts_";
  private static final byte BYTES = 'b';
  private static final byte TEXT = 't';
  private static final int MAX_ID = 0xFFFF;

  private ThoughtSignatureIds() {}

  /** A call's id and its signature. */
  record Signed(String id, String signature) {}

  /** The id to give a call: {@code id} itself when there is no signature, else both folded into one. */
  static String fold(String id, String signature) {
    if (signature == null || signature.isEmpty()) return id;
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    if (idBytes.length > MAX_ID) return id; // no upstream names a call with 64 KiB; keep the id, lose nothing else
    byte[] raw = canonicalBase64(signature);
    byte kind = raw != null ? BYTES : TEXT;
    byte[] sig = raw != null ? raw : signature.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(3 + idBytes.length + sig.length);
    b.put(kind).putShort((short) idBytes.length).put(idBytes).put(sig);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /** The id and signature folded into {@code id}, or null if it is not an id {@link #fold} made. */
  static Signed unfold(String id) {
    if (!id.startsWith(PREFIX)) return null;
    byte[] b;
    try {
      b = Base64.getUrlDecoder().decode(id.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (b.length < 4 || (b[0] != BYTES && b[0] != TEXT)) return null;
    int idLength = ((b[1] & 0xFF) << 8) | (b[2] & 0xFF);
    if (3 + idLength >= b.length) return null;
    String original;
    String signature;
    try {
      original = utf8(Arrays.copyOfRange(b, 3, 3 + idLength));
      byte[] sig = Arrays.copyOfRange(b, 3 + idLength, b.length);
      signature = b[0] == BYTES ? Base64.getEncoder().encodeToString(sig) : utf8(sig);
    } catch (CharacterCodingException e) {
      return null;
    }
    return fold(original, signature).equals(id) ? new Signed(original, signature) : null;
  }

  /** The bytes of {@code s} if it is standard base64 exactly as Java writes it (padded), else null. */
  private static byte[] canonicalBase64(String s) {
    try {
      byte[] raw = Base64.getDecoder().decode(s);
      return raw.length > 0 && Base64.getEncoder().encodeToString(raw).equals(s) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String utf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
  }
}
