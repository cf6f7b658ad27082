package dev.switchboard.codec.anthropic;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Tool-call ids between the canonical model, which keeps each id as its upstream gave it, and the
 * Anthropic wire, which allows only {@code ^[a-zA-Z0-9_-]+$}.
 *
 * <p>The mapping is reversible and needs no state: an id that already fits and does not start with
 * {@value #PREFIX} is sent unchanged (so Anthropic's {@code toolu_…}, Bedrock's {@code tooluse_…} and
 * OpenAI's {@code call_…} pass as they are); any other id is sent as {@value #PREFIX} followed by the
 * unpadded base64url of its UTF-8 bytes, whose alphabet fits the pattern. {@link #fromWire} undoes exactly
 * that and leaves every other id alone, so {@code fromWire(toWire(id)).equals(id)} for every id, and two
 * different ids never share a wire id. An id such as {@code functions.get_weather:0} (some
 * OpenAI-compatible servers) becomes {@code sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA}.
 */
final class ToolIds {
  static final String PREFIX = "sbx_";
  private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_-]+");

  private ToolIds() {}

  static String toWire(String id) {
    if (VALID.matcher(id).matches() && !id.startsWith(PREFIX)) return id;
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  static String fromWire(String wire) {
    if (!wire.startsWith(PREFIX)) return wire;
    String decoded;
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(wire.substring(PREFIX.length()));
      decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return wire; // not one of ours
    }
    // Only ids that toWire would have encoded are decoded; anything else is a client's own id.
    return toWire(decoded).equals(wire) ? decoded : wire;
  }
}
