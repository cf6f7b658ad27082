package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteArraysTest {

  /** The word-at-a-time search agrees with a plain loop on every position, alignment and byte value. */
  @Test
  void nextLineBreakMatchesAPlainScan() {
    Random random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] a = new byte[1 + random.nextInt(64)];
      for (int i = 0; i < a.length; i++) {
        int pick = random.nextInt(20);
        // Mostly bytes around the ones searched for (0x09-0x0E, 0x8A, 0x8D) to catch borrow mistakes.
        a[i] = (byte) switch (pick) {
          case 0 -> '\n';
          case 1 -> '\r';
          case 2 -> 0x0B;
          case 3 -> 0x8A;
          case 4 -> 0x8D;
          case 5 -> 0x0C;
          default -> random.nextInt(256);
        };
      }
      int from = random.nextInt(a.length);
      int to = from + random.nextInt(a.length - from + 1);
      int expected = from;
      while (expected < to && a[expected] != '\n' && a[expected] != '\r') expected++;
      assertThat(ByteArrays.nextLineBreak(a, from, to)).as("round %d", round).isEqualTo(expected);
    }
  }

  @Test
  void lastIndexOfFindsTheLastOccurrence() {
    byte[] a = ByteArrays.ascii("{\"usage\":null,\"x\":{\"usage\":{}}}");
    assertThat(ByteArrays.lastIndexOf(a, 0, a.length, ByteArrays.ascii("\"usage\":"))).isEqualTo(19);
    assertThat(ByteArrays.lastIndexOf(a, 0, 18, ByteArrays.ascii("\"usage\":"))).isEqualTo(1);
    assertThat(ByteArrays.lastIndexOf(a, 2, 18, ByteArrays.ascii("\"usage\":"))).isEqualTo(-1);
  }
}
