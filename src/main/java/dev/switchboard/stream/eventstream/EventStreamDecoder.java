package dev.switchboard.stream.eventstream;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Decodes an event-stream byte stream that arrives in pieces split anywhere, handing each complete message to a
 * handler, in order, from inside {@link #feed}.
 *
 * <p>Every frame is checked before anything in it is believed: the prelude CRC before its lengths, the lengths
 * against AWS's limits (at most 16 MiB a frame, 128 KiB of headers), and the message CRC before the headers are
 * parsed. The first violation throws {@link MalformedFrameException}, naming the frame, its offset in the stream and
 * what is wrong, and the decoder stops for good: once framing is lost nothing after it can be trusted.
 *
 * <p>Memory: at most one frame is held, in an array of its exact size allocated when its prelude has arrived and
 * checked (so at most 16 MiB). A decoded message shares that array, which the decoder then lets go of.
 *
 * <p>Not thread-safe: one decoder per stream, fed from that stream's event loop. The handler must not call
 * {@link #feed} again.
 */
public final class EventStreamDecoder {
  private final Consumer<EventStreamMessage> handler;
  private final CRC32 crc = new CRC32();
  private final byte[] prelude = new byte[Framing.PRELUDE];
  private int preludeFill;
  /** The frame being filled, sized from its prelude; null while the prelude is incomplete. */
  private byte[] frame;
  private int frameFill;
  private int headersLength;
  private long frameNumber = 1;
  private long frameStart;
  private RuntimeException failure;

  /**
   * Creates a decoder for one stream.
   *
   * @param handler receives each decoded message; if it throws, the exception leaves {@link #feed} and the decoder
   *     stops
   */
  public EventStreamDecoder(Consumer<EventStreamMessage> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Consumes all of {@code chunk} (which is not retained), calling the handler for each frame it completes.
   *
   * @throws MalformedFrameException if a frame is corrupt; the decoder has stopped
   * @throws IllegalStateException if the decoder stopped earlier (a corrupt frame or a throwing handler)
   */
  public void feed(Buffer chunk) {
    if (failure != null) {
      throw new IllegalStateException("event-stream decoder stopped after an earlier failure: " + failure, failure);
    }
    try {
      decode(chunk);
    } catch (RuntimeException e) {
      failure = e;
      frame = null;
      preludeFill = 0;
      throw e;
    }
  }

  /**
   * True when the bytes fed so far end inside a frame. At the end of the body this tells a stream that was cut off
   * from one that ended cleanly; it is false before anything is fed and after the decoder stopped.
   */
  public boolean hasPartial() {
    return preludeFill > 0;
  }

  private void decode(Buffer chunk) {
    int at = 0;
    int end = chunk.length();
    while (at < end) {
      if (frame == null) {
        int n = Math.min(Framing.PRELUDE - preludeFill, end - at);
        chunk.getBytes(at, at + n, prelude, preludeFill);
        preludeFill += n;
        at += n;
        if (preludeFill == Framing.PRELUDE) startFrame();
      } else {
        int n = Math.min(frame.length - frameFill, end - at);
        chunk.getBytes(at, at + n, frame, frameFill);
        frameFill += n;
        at += n;
        if (frameFill == frame.length) finishFrame();
      }
    }
  }

  private void startFrame() {
    crc.reset();
    crc.update(prelude, 0, 8);
    int expected = Framing.getInt(prelude, 8);
    if ((int) crc.getValue() != expected) {
      throw corrupt("prelude CRC mismatch (frame says 0x%08x, computed 0x%08x)", expected, (int) crc.getValue());
    }
    long total = Integer.toUnsignedLong(Framing.getInt(prelude, 0));
    long headers = Integer.toUnsignedLong(Framing.getInt(prelude, 4));
    if (total < Framing.OVERHEAD || total > Framing.MAX_TOTAL) {
      throw corrupt("total length %d out of range (expected: %d..%d)", total, Framing.OVERHEAD, Framing.MAX_TOTAL);
    }
    if (headers > Framing.MAX_HEADERS) {
      throw corrupt("headers length %d out of range (expected: 0..%d)", headers, Framing.MAX_HEADERS);
    }
    if (headers > total - Framing.OVERHEAD) {
      throw corrupt("headers length %d does not fit in a %d-byte frame (expected: at most %d)", headers, total,
          total - Framing.OVERHEAD);
    }
    headersLength = (int) headers;
    frame = new byte[(int) total];
    System.arraycopy(prelude, 0, frame, 0, Framing.PRELUDE);
    frameFill = Framing.PRELUDE;
  }

  private void finishFrame() {
    byte[] f = frame;
    int crcAt = f.length - 4;
    crc.reset();
    crc.update(f, 0, crcAt);
    int expected = Framing.getInt(f, crcAt);
    if ((int) crc.getValue() != expected) {
      throw corrupt("message CRC mismatch (frame says 0x%08x, computed 0x%08x)", expected, (int) crc.getValue());
    }
    ArrayList<String> names = new ArrayList<>(4);
    ArrayList<Object> values = new ArrayList<>(4);
    try {
      HeaderCodec.read(f, Framing.PRELUDE, Framing.PRELUDE + headersLength, names, values);
    } catch (MalformedFrameException e) {
      throw corrupt("%s", e.getMessage());
    }
    int payloadAt = Framing.PRELUDE + headersLength;
    EventStreamMessage message = new EventStreamMessage(names.toArray(new String[0]), values.toArray(),
        f, Framing.PRELUDE, headersLength, f, payloadAt, crcAt - payloadAt);
    // Ready for the next frame before the handler runs, so a throwing handler leaves consistent state behind.
    frame = null;
    preludeFill = 0;
    frameStart += f.length;
    frameNumber++;
    handler.accept(message);
  }

  private MalformedFrameException corrupt(String format, Object... args) {
    return new MalformedFrameException("event-stream frame " + frameNumber + " at byte " + frameStart + ": "
        + String.format(format, args));
  }

  /**
   * A frame that breaks the event-stream format: a checksum that does not match, a length out of range, or a
   * header block that does not parse. The stream cannot be resynchronised after it.
   */
  public static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message);
    }
  }
}
