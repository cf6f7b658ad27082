package dev.switchboard.sim;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Token counting and splitting with cl100k_base, so that usage numbers look like a real model's and streams carry one
 * token per chunk. The encoding is built once (it is thread-safe). Text is encoded as ordinary text: a user who writes
 * {@code <|endoftext|>} gets it counted, not rejected.
 */
final class Tokens {
  static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private Tokens() {}

  static int count(String text) {
    return text == null || text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }

  /** A piece of streamed text and how many tokens it stands for (more than one only to keep a UTF-8 character whole). */
  record Piece(String text, int tokens) {}

  /** Splits {@code text} into at most {@code maxTokens} token pieces whose concatenation is a prefix of the text. */
  static List<Piece> pieces(String text, int maxTokens) {
    if (text.isEmpty() || maxTokens <= 0) return List.of();
    IntArrayList ids = CL100K.encodeOrdinary(text);
    int n = Math.min(ids.size(), maxTokens);
    List<Piece> out = new ArrayList<>(n);
    IntArrayList one = new IntArrayList(1);
    byte[] pending = new byte[0];
    int pendingTokens = 0;
    for (int i = 0; i < n; i++) {
      one.clear();
      one.add(ids.get(i));
      byte[] b = CL100K.decodeBytes(one);
      byte[] joined = new byte[pending.length + b.length];
      System.arraycopy(pending, 0, joined, 0, pending.length);
      System.arraycopy(b, 0, joined, pending.length, b.length);
      pendingTokens++;
      // A token may end inside a multi-byte character; hold it back until the character is complete.
      if (completeUtf8(joined)) {
        out.add(new Piece(new String(joined, StandardCharsets.UTF_8), pendingTokens));
        pending = new byte[0];
        pendingTokens = 0;
      } else {
        pending = joined;
      }
    }
    if (pendingTokens > 0) out.add(new Piece(new String(pending, StandardCharsets.UTF_8), pendingTokens));
    return out;
  }

  static String join(List<Piece> pieces) {
    StringBuilder sb = new StringBuilder();
    for (Piece p : pieces) sb.append(p.text());
    return sb.toString();
  }

  static int tokens(List<Piece> pieces) {
    int n = 0;
    for (Piece p : pieces) n += p.tokens();
    return n;
  }

  /** True if {@code b} does not end in the middle of a UTF-8 sequence. */
  static boolean completeUtf8(byte[] b) {
    int i = b.length - 1;
    int continuation = 0;
    while (i >= 0 && (b[i] & 0xC0) == 0x80 && continuation < 4) {
      i--;
      continuation++;
    }
    if (i < 0) return continuation == 0;
    int lead = b[i] & 0xFF;
    int need = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    return continuation >= need;
  }
}
