/**
 * The Amazon Bedrock codecs: Converse and ConverseStream to and from the canonical model, in both directions, and
 * InvokeModel with Claude's body for clients, as pure functions on {@link io.vertx.core.buffer.Buffer}s.
 *
 * <p>How the types fit together. {@link dev.switchboard.codec.bedrock.BedrockConverseCodec} is the facade for whole
 * bodies. Streams go through {@link dev.switchboard.codec.bedrock.BedrockStreamDecoder} (upstream event-stream bytes
 * in any pieces → canonical events) and {@link dev.switchboard.codec.bedrock.BedrockStreamEncoder} (canonical events
 * → event-stream frames), one instance of each per stream, both built on
 * {@link dev.switchboard.stream.eventstream}. {@link dev.switchboard.codec.bedrock.BedrockErrorFormat} is the front
 * door's error shape. InvokeModel, whose bodies are each model family's own, is served for Claude's body only:
 * {@link dev.switchboard.codec.bedrock.BedrockInvokeCodec} checks that shape and lets the Anthropic codec decode it,
 * and {@link dev.switchboard.codec.bedrock.BedrockInvokeStreamEncoder} wraps the Anthropic stream events in
 * event-stream chunks. The package-private rest: {@code RequestDecoder}, {@code RequestEncoder},
 * {@code ResponseCodec} and {@code Wire} (stop reasons, usage, tool ids, error codes, JSON output).
 *
 * <p>Conventions: canonical input tokens include cache reads and writes, Bedrock's {@code inputTokens} excludes
 * them; tool inputs are objects in whole bodies and string fragments in streams; what cannot be translated is
 * reported, never silently lost; a request that cannot be served fails with a 400 that names the field.
 */
package dev.switchboard.codec.bedrock;
