/**
 * The canonical model: one small set of immutable types for a chat request, its response and its stream,
 * in no protocol's shape. Every translation goes through it — a front door decodes its caller's wire
 * format into a {@link dev.switchboard.canonical.ChatRequest}, a provider adapter encodes that for its
 * upstream and decodes the answer into a {@link dev.switchboard.canonical.ChatResponse} or a sequence of
 * {@link dev.switchboard.canonical.StreamEvent}s, which the front door encodes back. No front door knows
 * a provider. (Same-protocol traffic skips all of this and is relayed as bytes.)
 *
 * <p>Conventions, chosen so that no protocol's quirk leaks into the others:
 * <ul>
 *   <li>The system prompt is separate from the messages ({@link ChatRequest#system()}); messages are
 *       {@link Role#USER} or {@link Role#ASSISTANT} only. Tool results are parts of a user message, as in
 *       Anthropic and Bedrock; OpenAI's {@code role: tool} messages become one user message of
 *       {@link Part.ToolResult}s.
 *   <li>JSON that Switchboard does not interpret — tool input schemas, tool-call arguments, structured
 *       output schemas — is kept as JSON text, exactly as received, so it passes through unchanged.
 *   <li>{@link Usage#inputTokens()} includes cached tokens (OpenAI's convention); cache reads and writes
 *       are itemised. Codecs for Anthropic, whose {@code input_tokens} excludes them, convert.
 *   <li>Stream blocks are numbered from 0 in the order they start; each is started, receives deltas, and
 *       is stopped, and blocks do not overlap.
 * </ul>
 * All types are records or enums; lists are copied and unmodifiable; null means "not given" for optional
 * values, never an empty value.
 */
package dev.switchboard.canonical;
