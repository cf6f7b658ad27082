package dev.switchboard.access;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.routing.Deployment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request's size before it is sent, for admission: input tokens counted by a tokenizer (o200k) over the request
 * body, JSON punctuation included, so it leans high for text; and the most output it may produce: the client's
 * {@code max_tokens}, else the largest {@code max_output} of the deployments it may go to, else
 * {@value #DEFAULT_MAX_OUTPUT}. An inline image (a long base64 string that is a whole JSON string value next to an
 * {@code image} marker: an OpenAI data URL, an Anthropic or Bedrock image source) counts as {@value #IMAGE_TOKENS}
 * tokens, above what any supported provider charges for one image, instead of the hundreds of thousands a tokenizer
 * would count in its base64; other long base64 (documents) is tokenized like text. Computed once per exchange, and
 * only when a limit or budget needs it.
 */
final class Estimate {
  static final int DEFAULT_MAX_OUTPUT = 4096;
  /** What an inline image counts as: above OpenAI's (≤ 2,500 at high detail), Anthropic's (≤ 1,600), Gemini's. */
  static final int IMAGE_TOKENS = 3000;
  /** Base64 shorter than this is tokenized like text: cheap either way. */
  private static final int INLINE_MIN = 1024;
  /** Longer runs without whitespace are tokenized in pieces of {@link #PIECE} characters. */
  private static final int LONG_RUN = 512;
  private static final int PIECE = 256;
  /** How far around a base64 string to look for the {@code image} marker of its part. */
  private static final int MARKER_REACH = 160;
  static final Encoding TOKENS = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  final long inputTokens;
  final long maxOutputTokens;

  Estimate(long inputTokens, long maxOutputTokens) {
    this.inputTokens = inputTokens;
    this.maxOutputTokens = maxOutputTokens;
  }

  long tokens() {
    return inputTokens + maxOutputTokens;
  }

  static Estimate of(Exchange exchange, List<Deployment> order) {
    long input = exchange.body() == null ? 0 : inputTokens(exchange.body().toString(StandardCharsets.UTF_8));
    Integer asked = exchange.maxOutputTokens();
    long output;
    if (asked != null) {
      output = asked;
    } else {
      output = 0;
      for (Deployment d : order) {
        Integer max = d.settings().maxOutput();
        if (max != null) output = Math.max(output, max);
      }
      if (output == 0) output = DEFAULT_MAX_OUTPUT;
    }
    return new Estimate(input, output);
  }

  /**
   * Tokens of a request body, inline images counted as {@link #IMAGE_TOKENS} each. Byte-pair encoding takes time
   * quadratic in the length of one unbroken word, so a run without whitespace longer than {@value #LONG_RUN}
   * characters (base64, a long identifier, text without spaces) is counted in pieces of {@value #PIECE}: a word cut
   * in two can only count more tokens, and an event loop is never stalled by one long string.
   */
  static long inputTokens(String body) {
    long tokens = 0;
    int from = 0;
    int n = body.length();
    int i = 0;
    while (i < n) {
      if (Character.isWhitespace(body.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(body.charAt(i))) i++;
      if (i - start < LONG_RUN) continue;
      tokens += TOKENS.countTokensOrdinary(body.substring(from, start)) + longRun(body, start, i);
      from = i;
    }
    return tokens + TOKENS.countTokensOrdinary(from == 0 ? body : body.substring(from));
  }

  private static long longRun(String body, int start, int end) {
    long tokens = 0;
    int from = start;
    int i = start;
    while (i < end) {
      if (!base64(body.charAt(i))) {
        i++;
        continue;
      }
      int run = i;
      while (i < end && base64(body.charAt(i))) i++;
      if (i - run >= INLINE_MIN && inlineImage(body, run, i)) {
        tokens += inPieces(body, from, run) + IMAGE_TOKENS;
        from = i;
      }
    }
    return tokens + inPieces(body, from, end);
  }

  private static long inPieces(String s, int from, int to) {
    long tokens = 0;
    while (from < to) {
      int end = Math.min(to, from + PIECE);
      if (end < to && Character.isHighSurrogate(s.charAt(end - 1))) end--;
      tokens += TOKENS.countTokensOrdinary(s.substring(from, end));
      from = end;
    }
    return tokens;
  }

  /**
   * True when {@code body[start, end)} is a whole JSON string value (or a data URL's payload) of an image part: it
   * ends the string, starts it (or follows {@code ;base64,} at the start of one), and {@code image} is written
   * close by. A text value never qualifies on its own, since base64 fills the whole string.
   */
  private static boolean inlineImage(String body, int start, int end) {
    if (end >= body.length() || body.charAt(end) != '"' || start < 2) return false;
    char before = body.charAt(start - 1);
    boolean whole = before == '"' && body.charAt(start - 2) != '\\';
    if (!whole && before == ',') {
      int quote = body.lastIndexOf('"', start - 1);
      whole = quote >= 0 && body.startsWith("data:image/", quote + 1) && body.startsWith(";base64", start - 8)
          && body.indexOf(',', quote) == start - 1;
    }
    if (!whole) return false;
    String near = body.substring(Math.max(0, start - MARKER_REACH), start)
        + body.substring(end, Math.min(body.length(), end + MARKER_REACH));
    return near.contains("image");
  }

  private static boolean base64(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=';
  }
}
