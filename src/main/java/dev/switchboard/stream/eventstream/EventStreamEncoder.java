package dev.switchboard.stream.eventstream;

import io.vertx.core.buffer.Buffer;
import java.util.zip.CRC32;

/**
 * Turns a message into one event-stream frame ({@code application/vnd.amazon.eventstream}):
 *
 * <pre>
 * | total length u32 | headers length u32 | prelude CRC u32 | headers | payload | message CRC u32 |
 * </pre>
 *
 * Lengths are big-endian and the total counts the 16 bytes of framing. The prelude CRC is the CRC-32 of the first
 * 8 bytes, the message CRC that of every byte before it.
 *
 * <p>Stateless and thread-safe. The message's header block was encoded when it was built (or kept from the frame it
 * was decoded from), so encoding is one exactly-sized buffer, two copies and the checksums.
 */
public final class EventStreamEncoder {
  private EventStreamEncoder() {}

  /**
   * Returns a new buffer holding exactly the frame for {@code message}; the caller owns it. Never fails: a message
   * that built is within AWS's limits.
   */
  public static Buffer encode(EventStreamMessage message) {
    byte[] headers = message.headerArray();
    int headersOffset = message.headerOffset();
    int headersLength = message.headerLength();
    byte[] payload = message.payloadArray();
    int payloadOffset = message.payloadOffset();
    int payloadLength = message.payloadLength();
    int total = Framing.OVERHEAD + headersLength + payloadLength;

    // One running checksum: its value after the first 8 bytes is the prelude CRC, and the message CRC goes on
    // from there over the prelude CRC itself, the headers and the payload.
    CRC32 crc = new CRC32();
    Framing.updateInt(crc, total);
    Framing.updateInt(crc, headersLength);
    int preludeCrc = (int) crc.getValue();
    Framing.updateInt(crc, preludeCrc);
    crc.update(headers, headersOffset, headersLength);
    crc.update(payload, payloadOffset, payloadLength);

    return Buffer.buffer(total)
        .appendInt(total)
        .appendInt(headersLength)
        .appendInt(preludeCrc)
        .appendBytes(headers, headersOffset, headersLength)
        .appendBytes(payload, payloadOffset, payloadLength)
        .appendInt((int) crc.getValue());
  }
}
