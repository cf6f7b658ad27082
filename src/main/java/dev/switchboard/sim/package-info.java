/**
 * The built-in provider simulator: a fleet of fake deployments, each speaking the OpenAI API, the Anthropic Messages
 * API, the Gemini API and the Bedrock Runtime API, for outage drills, load tests, the zero-config demo, and as the
 * upstream of every gateway test and benchmark.
 *
 * <p>How the types fit together. {@link dev.switchboard.sim.Simulator#start} takes a
 * {@link dev.switchboard.sim.SimulatorConfig} (one {@link dev.switchboard.sim.SimDeploymentSpec} per deployment) and
 * binds one server per deployment (HTTP/1.1 and cleartext HTTP/2 with prior knowledge, since the AWS SDKs' async
 * clients speak it) plus a control server. Each deployment ({@code Deployment}, seen from outside as
 * {@link dev.switchboard.sim.SimDeployment}) routes requests under {@code /model/} through {@code BedrockRoutes},
 * those under {@code /v1beta/} through {@code GeminiRoutes}, those under {@code /v1/messages}, and any request
 * carrying {@code anthropic-version}, through {@code AnthropicRoutes}, and the rest through {@code OpenAiRoutes}; an
 * inference request becomes an {@code Exchange}, which owns the response, its timers and its single
 * {@link dev.switchboard.sim.LedgerEntry}. The protocols share one behaviour model: OpenAI chat bodies are validated
 * into a {@code ChatRequest}; Anthropic message bodies (also Bedrock's InvokeModel body for an Anthropic model) by
 * {@code MessagesRequest}, Gemini bodies by {@code GeminiRequest} (conversation in {@code GeminiContents}, proto-JSON
 * field rules in {@code GeminiFields}) and Bedrock Converse bodies by {@code ConverseRequest} into the same
 * {@code ChatRequest}, all of them measuring their prompt with {@code Prompt} (token count, answer seed, cache
 * prefix); {@code ChatAnswer} plans the answer (deterministic text, tool calls and structured output via
 * {@code SchemaSampler}, token pieces via {@code Tokens}), the deployment's {@code PromptCache} splits the prompt
 * into uncached, cache-read and cache-written tokens ({@code PromptUsage}), and {@code ChatResponder} sends the
 * answer with the deployment's pacing ({@code Pacer}) through an {@code AnswerWire}: {@code ChatWire} for OpenAI's format, {@code MessagesWire} for
 * Anthropic's (framed as SSE, or by {@code InvokeFraming} as Bedrock's {@code chunk} events), {@code GeminiWire} for
 * Gemini's (whose function calls carry {@code ThoughtSignatures} that later requests must replay), {@code ConverseWire}
 * for Converse. Bedrock streams are AWS event-stream frames ({@code EventFrames}); Bedrock credentials are checked for
 * form by {@code BedrockAuth}. Errors are {@code ApiError}s, rendered in OpenAI's shape, by {@code AnthropicErrors},
 * {@code GeminiErrors} or {@code BedrockErrors}; {@code GeminiModels} lists models in Gemini's shape.
 * {@link dev.switchboard.sim.Fault}s and region outages change what a deployment does to the next requests, or whether
 * it listens at all; a deployment that stops listening waits for {@code PortRelease}, so its port refuses connections
 * by the time the change completes. {@code ControlServer} exposes the same controls over HTTP.
 *
 * <p>Threading: each exchange runs on its connection's event loop and never blocks it; waiting is done with Vert.x
 * timers. The public types are thread-safe.
 */
package dev.switchboard.sim;
