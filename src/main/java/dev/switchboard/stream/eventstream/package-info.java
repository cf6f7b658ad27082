/**
 * The AWS event-stream binary codec ({@code application/vnd.amazon.eventstream}), in which Bedrock streams
 * ConverseStream and InvokeModelWithResponseStream answers: the Bedrock front door encodes with it, the Bedrock
 * backend decodes with it.
 *
 * <p>How the types fit together. An {@link dev.switchboard.stream.eventstream.EventStreamMessage} is ordered, typed
 * headers plus payload bytes; its factories build the event, exception and error messages Bedrock sends, and its
 * builder checks AWS's limits as headers are added, so anything that builds can be sent.
 * {@link dev.switchboard.stream.eventstream.EventStreamEncoder} turns a message into one frame in one exactly-sized
 * {@code Buffer}. {@link dev.switchboard.stream.eventstream.EventStreamDecoder} turns a byte stream split anywhere
 * back into messages, verifying both CRC-32s and the lengths of every frame. Package-private {@code Framing} holds
 * the layout and limits, and {@code HeaderCodec} the ten header value types.
 *
 * <p>Nullness: no method accepts {@code null}; the only {@code null} returned is an absent header.
 *
 * <p>Threading: messages are immutable and the encoder is stateless; a decoder belongs to one stream.
 */
package dev.switchboard.stream.eventstream;
