package dev.switchboard.access;

import dev.switchboard.codec.anthropic.AnthropicErrorFormat;
import dev.switchboard.codec.bedrock.BedrockErrorFormat;
import dev.switchboard.exchange.ErrorFormat;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;

/**
 * The rate-limit response headers each API sends, so that clients written for it can pace themselves against the
 * gateway's limits as they would against the provider's:
 * <ul>
 *   <li>OpenAI: {@code x-ratelimit-limit-requests}, {@code -remaining-requests}, {@code -reset-requests} and the same
 *       for {@code -tokens}; the reset is the time until the bucket is full again, as a Go duration ({@code 20ms},
 *       {@code 8.64s}, {@code 6m0s}).
 *   <li>Anthropic: {@code anthropic-ratelimit-requests-limit}, {@code -remaining}, {@code -reset} and the same for
 *       {@code tokens}; the reset is the moment it is full again, RFC 3339 in UTC to the second
 *       ({@code 2026-01-15T14:24:00Z}). The gateway's tokens limit covers input and output together, which is what
 *       Anthropic's {@code tokens-*} headers describe (the most restrictive limit in effect), so the
 *       {@code input-tokens-*} and {@code output-tokens-*} families are not sent.
 *   <li>Bedrock: none; AWS throttles with {@code ThrottlingException} and sends no such headers.
 * </ul>
 * Values come from views as {@link Allowance#take} writes them. Stateless.
 */
final class RateLimitHeaders {
  /** Which family of headers a front door's clients read. */
  enum Style { OPENAI, ANTHROPIC, NONE }

  private static final CharSequence OPENAI_LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
  private static final CharSequence OPENAI_REMAINING_REQUESTS =
      HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
  private static final CharSequence OPENAI_RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
  private static final CharSequence OPENAI_LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
  private static final CharSequence OPENAI_REMAINING_TOKENS =
      HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
  private static final CharSequence OPENAI_RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");
  private static final CharSequence ANTHROPIC_LIMIT_REQUESTS =
      HttpHeaders.createOptimized("anthropic-ratelimit-requests-limit");
  private static final CharSequence ANTHROPIC_REMAINING_REQUESTS =
      HttpHeaders.createOptimized("anthropic-ratelimit-requests-remaining");
  private static final CharSequence ANTHROPIC_RESET_REQUESTS =
      HttpHeaders.createOptimized("anthropic-ratelimit-requests-reset");
  private static final CharSequence ANTHROPIC_LIMIT_TOKENS =
      HttpHeaders.createOptimized("anthropic-ratelimit-tokens-limit");
  private static final CharSequence ANTHROPIC_REMAINING_TOKENS =
      HttpHeaders.createOptimized("anthropic-ratelimit-tokens-remaining");
  private static final CharSequence ANTHROPIC_RESET_TOKENS =
      HttpHeaders.createOptimized("anthropic-ratelimit-tokens-reset");

  private RateLimitHeaders() {}

  static Style style(ErrorFormat errors) {
    if (errors == AnthropicErrorFormat.INSTANCE) return Style.ANTHROPIC;
    if (BedrockErrorFormat.isBedrock(errors)) return Style.NONE;
    return Style.OPENAI;
  }

  /**
   * Puts the headers for the requests ({@code view[req..req+2]}: limit, left, microseconds to full) and tokens
   * ({@code view[tok..tok+2]}) dimensions; a dimension whose limit is -1 is left out.
   */
  static void put(Style style, HttpServerResponse response, long[] view, int req, int tok, long wallMillis) {
    if (style == Style.NONE) return;
    boolean openai = style == Style.OPENAI;
    if (view[req] >= 0) {
      response.putHeader(openai ? OPENAI_LIMIT_REQUESTS : ANTHROPIC_LIMIT_REQUESTS, Long.toString(view[req]));
      response.putHeader(openai ? OPENAI_REMAINING_REQUESTS : ANTHROPIC_REMAINING_REQUESTS,
          Long.toString(view[req + 1]));
      response.putHeader(openai ? OPENAI_RESET_REQUESTS : ANTHROPIC_RESET_REQUESTS,
          openai ? goDuration(view[req + 2]) : rfc3339(wallMillis, view[req + 2]));
    }
    if (view[tok] >= 0) {
      response.putHeader(openai ? OPENAI_LIMIT_TOKENS : ANTHROPIC_LIMIT_TOKENS, Long.toString(view[tok]));
      response.putHeader(openai ? OPENAI_REMAINING_TOKENS : ANTHROPIC_REMAINING_TOKENS, Long.toString(view[tok + 1]));
      response.putHeader(openai ? OPENAI_RESET_TOKENS : ANTHROPIC_RESET_TOKENS,
          openai ? goDuration(view[tok + 2]) : rfc3339(wallMillis, view[tok + 2]));
    }
  }

  /**
   * {@code micros} as Go's {@code time.Duration} prints it (which is what OpenAI sends), rounded up to the
   * millisecond: {@code 0s}, {@code 20ms}, {@code 1s}, {@code 8.64s}, {@code 6m0s}, {@code 1h2m3.5s}.
   */
  static String goDuration(long micros) {
    long ms = (micros + 999) / 1000;
    if (ms <= 0) return "0s";
    if (ms < 1000) return ms + "ms";
    StringBuilder b = new StringBuilder(12);
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    if (h > 0) b.append(h).append('h');
    if (h > 0 || m > 0) b.append(m).append('m');
    b.append(ms / 1000 % 60);
    long frac = ms % 1000;
    if (frac > 0) {
      String digits = Long.toString(1000 + frac).substring(1); // zero-padded to three digits
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') end--;
      b.append('.').append(digits, 0, end);
    }
    return b.append('s').toString();
  }

  /** The moment {@code micros} after {@code wallMillis}, rounded up to the second, in RFC 3339 (UTC). */
  static String rfc3339(long wallMillis, long micros) {
    long millis = wallMillis + (micros + 999) / 1000;
    return Instant.ofEpochSecond(Math.ceilDiv(millis, 1000)).toString();
  }
}
