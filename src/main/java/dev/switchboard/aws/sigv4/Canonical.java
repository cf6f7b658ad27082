package dev.switchboard.aws.sigv4;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The canonical forms SigV4 hashes: URI, query string and header values. Pure functions over strings; thread-safe.
 *
 * <p>Percent-encoding here is always RFC 3986 with upper-case hex: the unreserved characters {@code A-Z a-z 0-9 - _ . ~}
 * stay as they are and every other byte of the UTF-8 form becomes {@code %XX}.
 */
final class Canonical {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final Comparator<String[]> BY_NAME_THEN_VALUE =
      Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]);

  private Canonical() {}

  /**
   * The canonical URI of a path as it travels on the wire (already percent-encoded once): every service but S3 encodes
   * it <em>again</em>, keeping the {@code /} separators, so {@code /model/x%3A0/converse} becomes
   * {@code /model/x%253A0/converse}. The path is not decoded and not normalised: {@code .}/{@code ..} segments and
   * doubled slashes are kept as received (the signer refuses to produce them). An empty path is {@code /}.
   */
  static String uri(String rawPath) {
    if (rawPath.isEmpty()) return "/";
    StringBuilder out = new StringBuilder(rawPath.length() + 16);
    encode(out, rawPath, true);
    return out.toString();
  }

  /** Percent-encodes one path segment for the wire ({@code /} and {@code :} included), as the AWS SDKs do for labels. */
  static String segment(String decoded) {
    StringBuilder out = new StringBuilder(decoded.length() + 16);
    encode(out, decoded, false);
    return out.toString();
  }

  /**
   * The canonical query string of a raw (as-on-the-wire) query: parameters split on {@code &} and the first {@code =},
   * each name and value brought to the canonical encoding (existing {@code %XX} escapes are decoded first, so {@code %7E}
   * and {@code ~} are the same; a {@code +} is a literal plus, as RFC 3986 has it), parameters with an empty name dropped,
   * then sorted by encoded name and then by encoded value, and joined as {@code name=value&...}. Null or empty gives "".
   */
  static String query(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return "";
    List<String[]> params = new ArrayList<>();
    int start = 0;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        if (eq < 0 || eq > end) eq = end;
        String name = requote(rawQuery, start, eq);
        if (!name.isEmpty()) params.add(new String[] {name, eq < end ? requote(rawQuery, eq + 1, end) : ""});
      }
      start = end + 1;
    }
    if (params.size() > 1) params.sort(BY_NAME_THEN_VALUE);
    StringBuilder out = new StringBuilder(rawQuery.length() + 16);
    for (String[] p : params) {
      if (!out.isEmpty()) out.append('&');
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  /**
   * Appends the canonical form of one header value: leading and trailing whitespace removed and every run of inner
   * whitespace (space, tab, CR, LF, VT, FF) collapsed into one space.
   */
  static void appendHeaderValue(StringBuilder out, String value) {
    boolean pendingSpace = false;
    boolean any = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000b' || c == '\f') {
        pendingSpace = any;
      } else {
        if (pendingSpace) out.append(' ');
        out.append(c);
        pendingSpace = false;
        any = true;
      }
    }
  }

  static String headerValue(String value) {
    StringBuilder out = new StringBuilder(value.length());
    appendHeaderValue(out, value);
    return out.toString();
  }

  static boolean unreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_' || c == '.' || c == '~';
  }

  /** Encodes every character of {@code s} that is not unreserved (nor {@code /} when {@code keepSlash}). */
  private static void encode(StringBuilder out, String s, boolean keepSlash) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (unreserved(c) || (keepSlash && c == '/')) out.append(c);
      else i = appendEscaped(out, s, i);
    }
  }

  /** Re-encodes {@code s[from, to)}: valid {@code %XX} escapes are decoded to their byte, then every byte is re-encoded. */
  private static String requote(String s, int from, int to) {
    StringBuilder out = new StringBuilder(to - from + 8);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int b;
      if (c == '%' && (b = hexByte(s, i + 1, to)) >= 0) {
        if (unreserved(b)) out.append((char) b);
        else appendEscape(out, b);
        i += 2;
      } else if (unreserved(c)) {
        out.append(c);
      } else {
        i = appendEscaped(out, s, i);
      }
    }
    return out.toString();
  }

  /**
   * Appends the escapes of the UTF-8 bytes of the character at {@code s[i]} (a surrogate pair counts as one; a lone
   * surrogate becomes {@code ?}, as {@link String#getBytes} has it) and returns the index of its last char.
   */
  private static int appendEscaped(StringBuilder out, String s, int i) {
    char c = s.charAt(i);
    if (c < 0x80) {
      appendEscape(out, c);
      return i;
    }
    int cp = s.codePointAt(i);
    for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) appendEscape(out, b & 0xff);
    return i + Character.charCount(cp) - 1;
  }

  /** The byte written as two ASCII hex digits at {@code s[at, at+2)}, or -1 if there are not two before {@code to}. */
  private static int hexByte(String s, int at, int to) {
    if (at + 2 > to) return -1;
    int hi = hexDigit(s.charAt(at));
    int lo = hexDigit(s.charAt(at + 1));
    return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static void appendEscape(StringBuilder out, int b) {
    out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }
}
