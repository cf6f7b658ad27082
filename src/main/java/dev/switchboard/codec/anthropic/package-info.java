/**
 * The Anthropic Messages codec: Anthropic's wire format (API versions 2023-06-01 and 2026-10-21) to and
 * from the canonical model, in both directions, as pure functions on {@link io.vertx.core.buffer.Buffer}s.
 *
 * <p>How the types fit together. {@link dev.switchboard.codec.anthropic.AnthropicCodec} is the facade for
 * whole bodies: a front door decodes its client's request and encodes the answer; a provider adapter
 * encodes the canonical request for its Anthropic upstream and decodes the answer or the error. Streams go
 * through {@link dev.switchboard.codec.anthropic.AnthropicStreamDecoder} (upstream SSE bytes in any pieces
 * → canonical events) and {@link dev.switchboard.codec.anthropic.AnthropicStreamEncoder} (canonical events
 * → client SSE, or another {@link dev.switchboard.codec.anthropic.AnthropicStreamEncoder.Framing} such as
 * Bedrock's event-stream chunks), one instance of each per stream. Cloud platforms that serve Claude (Bedrock's
 * InvokeModel) take the Messages body with the model in their URL; {@code AnthropicCodec.decodePlatformRequest}
 * reads it. {@link dev.switchboard.codec.anthropic.AnthropicErrorFormat} is the front door's error shape.
 * The package-private rest: {@code RequestDecoder}, {@code RequestEncoder}, {@code ResponseCodec},
 * {@code ToolIds} (the reversible tool-id mapping) and {@code Wire} (stop reasons, usage arithmetic, error
 * types, JSON output).
 *
 * <p>Conventions kept everywhere: canonical input tokens include cache reads and writes, Anthropic's
 * {@code input_tokens} exclude them; tool-call arguments and schemas are JSON text, passed through with
 * their numbers exact; what cannot be translated is reported, never silently lost; a request the
 * translation cannot serve fails with a 400 that names the field.
 */
package dev.switchboard.codec.anthropic;
