package dev.switchboard.exchange;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: {@code req_}, 11 hex digits of the wall clock in milliseconds, then 13 hex digits (52 bits) of
 * randomness; cheap enough for the hot path. The time first makes ids of one moment sort together, so the usage
 * ledger, keyed by request id, inserts near its end instead of at random places in its index: measured, random
 * ids cost the embedded store's writer about 15 µs of CPU per request at 30,000 requests/s.
 */
public final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String next() {
    long time = System.currentTimeMillis();
    long random = ThreadLocalRandom.current().nextLong();
    char[] out = new char[28];
    out[0] = 'r';
    out[1] = 'e';
    out[2] = 'q';
    out[3] = '_';
    for (int i = 0; i < 11; i++) out[4 + i] = HEX[(int) (time >>> (40 - 4 * i)) & 0xf];
    for (int i = 0; i < 13; i++) out[15 + i] = HEX[(int) (random >>> (60 - 4 * i)) & 0xf];
    return new String(out);
  }
}
