package dev.switchboard.sim;

import dev.switchboard.util.Checks;
import java.time.Duration;
import java.util.Locale;

/**
 * A failure to inject into one deployment with {@link Simulator#setFault}. Build one with the static factories; fields
 * that do not apply to a kind are 0.
 *
 * <p>Faults apply to inference requests (chat completions, embeddings, Anthropic messages, Gemini generation, Bedrock
 * converse and invoke); the models listings and token counting keep answering so that a health probe does not consume
 * a counted fault. {@code count > 0} limits the fault to the next {@code count} inference requests, after which it
 * clears itself; 0 keeps it until cleared.
 *
 * @param kind what goes wrong
 * @param status HTTP status for {@link Kind#STATUS} (400..599)
 * @param retryAfterSeconds {@code Retry-After} header sent with a {@link Kind#STATUS} answer when {@code > 0}
 * @param delayMillis extra wait before the response head for {@link Kind#SLOW_FIRST_BYTE}
 * @param afterTokens content chunks sent before a {@link Kind#CUT}
 * @param count how many requests it applies to, 0 for all until cleared
 */
public record Fault(Kind kind, int status, int retryAfterSeconds, long delayMillis, int afterTokens, int count) {

  /** The failure modes. */
  public enum Kind {
    /**
     * Answer with {@code status} and an error body in the request's protocol (OpenAI, Anthropic, Gemini or Bedrock).
     */
    STATUS,
    /** Stop listening, so connects are refused; clearing the fault listens again on the same port. */
    REFUSE,
    /** Read the request, then reset the TCP connection (over HTTP/2: the request's stream). */
    RESET,
    /** Read the request and never answer (the ledger records {@code cancelled} when the client gives up). */
    HANG,
    /** Wait {@code delayMillis} more before the response head. */
    SLOW_FIRST_BYTE,
    /**
     * Stream {@code afterTokens} content chunks (Anthropic and Bedrock: content deltas), or part of a non-streamed body,
     * then reset the connection; the stream's finish events ({@code [DONE]}, {@code message_stop}) never arrive. A
     * Gemini stream, which has no end marker, instead ends cleanly without its last chunk (no {@code finishReason}, no
     * usage), as a broken Gemini stream looks; a Bedrock stream ends after the chunks with a
     * {@code modelStreamErrorException} frame, as Bedrock reports a model failing mid-stream.
     */
    CUT;

    /** The lower-case name used on the wire and in ledger outcomes, e.g. {@code slow_first_byte}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Fault {
    Checks.argument(kind != null, "kind : null (expected: one of %s)", java.util.Arrays.toString(Kind.values()));
    Checks.argument(kind == Kind.STATUS ? status >= 400 && status <= 599 : status == 0,
        "status : %s (expected: 400..599 for STATUS, 0 otherwise)", status);
    Checks.argument(retryAfterSeconds >= 0 && (kind == Kind.STATUS || retryAfterSeconds == 0),
        "retryAfterSeconds : %s (expected: >= 0, only with STATUS)", retryAfterSeconds);
    Checks.argument(kind == Kind.SLOW_FIRST_BYTE ? delayMillis > 0 : delayMillis == 0,
        "delayMillis : %s (expected: > 0 for SLOW_FIRST_BYTE, 0 otherwise)", delayMillis);
    Checks.argument(afterTokens >= 0 && (kind == Kind.CUT || afterTokens == 0),
        "afterTokens : %s (expected: >= 0, only with CUT)", afterTokens);
    Checks.argument(count >= 0, "count : %s (expected: >= 0, 0 meaning until cleared)", count);
    // A refusing deployment never sees a request, so there is nothing to count.
    Checks.argument(kind != Kind.REFUSE || count == 0, "count : %s (expected: 0 for REFUSE, which sees no requests)",
        count);
  }

  /** Answer every request with {@code status} (400..599) and an error body in the request's protocol. */
  public static Fault status(int status) {
    return new Fault(Kind.STATUS, status, 0, 0, 0, 0);
  }

  /**
   * Answer 429 (OpenAI {@code rate_limit_exceeded}, Anthropic {@code rate_limit_error}, Gemini
   * {@code RESOURCE_EXHAUSTED} with a {@code RetryInfo} detail, Bedrock {@code ThrottlingException}) with a
   * {@code Retry-After} header (both omitted when 0).
   */
  public static Fault status429(int retryAfterSeconds) {
    return new Fault(Kind.STATUS, 429, retryAfterSeconds, 0, 0, 0);
  }

  public static Fault refuse() {
    return new Fault(Kind.REFUSE, 0, 0, 0, 0, 0);
  }

  public static Fault reset() {
    return new Fault(Kind.RESET, 0, 0, 0, 0, 0);
  }

  public static Fault hang() {
    return new Fault(Kind.HANG, 0, 0, 0, 0, 0);
  }

  public static Fault slowFirstByte(Duration delay) {
    Checks.argument(delay != null, "delay : null (expected: a positive duration)");
    return new Fault(Kind.SLOW_FIRST_BYTE, 0, 0, delay.toMillis(), 0, 0);
  }

  public static Fault cut(int afterTokens) {
    return new Fault(Kind.CUT, 0, 0, 0, afterTokens, 0);
  }

  /** The same fault limited to the next {@code count} inference requests (0: until cleared). */
  public Fault withCount(int count) {
    return new Fault(kind, status, retryAfterSeconds, delayMillis, afterTokens, count);
  }
}
