package dev.switchboard.codec.openai;

/**
 * Token counts for when an upstream reports none: about four characters per token, the usual rule of thumb
 * for English with OpenAI's tokenizers. Good enough to meter an answer whose usage was lost, not to bill
 * precisely; results are flagged {@code estimated}.
 */
final class Estimates {
  private Estimates() {}

  static long tokens(long chars) {
    return (chars + 3) / 4;
  }
}
