package dev.switchboard.codec.openai;

import java.util.concurrent.ThreadLocalRandom;

/** Ids in OpenAI's shapes, for when an upstream gives none: {@code chatcmpl-…}, {@code call_…}. */
final class Ids {
  private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Ids() {}

  static String completion() {
    return random("chatcmpl-", 29);
  }

  static String toolCall() {
    return random("call_", 24);
  }

  private static String random(String prefix, int length) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[length];
    for (int i = 0; i < length; i++) c[i] = ALNUM[r.nextInt(ALNUM.length)];
    return prefix + new String(c);
  }
}
