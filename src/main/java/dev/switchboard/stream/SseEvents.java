package dev.switchboard.stream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Cuts a server-sent-event stream that arrives in arbitrary pieces into whole events, as text. A partial
 * event is held (copied) until its blank line arrives; whole events inside a piece are decoded straight
 * from the piece's array. For decoders that parse every event; a relay that only scans should use
 * {@link SseSplitter} on the bytes. Not thread-safe: one per stream.
 */
public final class SseEvents {
  private final SseSplitter splitter = new SseSplitter();
  private byte[] pending = new byte[0];
  private int pendingLength;

  /**
   * Hands each whole event of the next piece to {@code onEvent}, in order, while {@code goOn} says so; the
   * rest of the piece is held for the next call.
   */
  public void feed(Buffer piece, BooleanSupplier goOn, Consumer<String> onEvent) {
    ByteArrays.View view = ByteArrays.view(piece);
    byte[] a = view.array();
    int from = view.offset();
    int to = from + piece.length();
    while (from < to && goOn.getAsBoolean()) {
      int boundary = splitter.nextBoundary(a, from, to);
      if (boundary < 0) {
        keep(a, from, to);
        break;
      }
      String text;
      if (pendingLength == 0) {
        text = new String(a, from, boundary - from, StandardCharsets.UTF_8);
      } else {
        keep(a, from, boundary);
        text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
      }
      onEvent.accept(text);
      from = boundary;
    }
  }

  /** The held-back text of an event whose blank line never came, or null; clears it. */
  public String rest() {
    if (pendingLength == 0) return null;
    String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
    pendingLength = 0;
    return text;
  }

  private void keep(byte[] a, int from, int to) {
    int n = to - from;
    if (pendingLength + n > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pendingLength + n, Math.max(256, pending.length * 2)));
    }
    System.arraycopy(a, from, pending, pendingLength, n);
    pendingLength += n;
  }
}
