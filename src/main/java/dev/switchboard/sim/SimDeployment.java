package dev.switchboard.sim;

import java.util.List;

/**
 * One simulated provider deployment: a server on its own loopback port (HTTP/1.1, and cleartext HTTP/2 with prior
 * knowledge) that speaks the OpenAI API, the Anthropic Messages API, the Gemini API and the Bedrock Runtime API.
 *
 * <p>Point an OpenAI client at {@link #baseUrl()}, an Anthropic client at {@link #anthropicBaseUrl()}, a Gemini client
 * (or a Switchboard provider of type {@code gemini}) at {@link #geminiBaseUrl()}, an AWS SDK's Bedrock Runtime client
 * (or a provider of type {@code bedrock}) at {@link #bedrockBaseUrl()}. Implementations are thread-safe; the values
 * never change while the simulator runs (a refused deployment keeps its port and listens on it again when the fault is
 * cleared).
 */
public interface SimDeployment {
  String name();

  String region();

  /** The bound port; for a spec with port 0 this is the ephemeral port chosen at start. */
  int port();

  /** {@code http://<host>:<port>/v1}, the base URL the OpenAI SDKs expect. */
  String baseUrl();

  /** {@code http://<host>:<port>}, the base URL the Anthropic SDKs expect (they add {@code /v1/messages}). */
  String anthropicBaseUrl();

  /**
   * {@code http://<host>:<port>}, the Gemini API's base URL without its version, as Gemini clients take it (they add
   * {@code /v1beta/models/...}).
   */
  String geminiBaseUrl();

  /**
   * {@code http://<host>:<port>}, the endpoint override the AWS SDKs expect for Bedrock Runtime (they add
   * {@code /model/{id}/converse} and the like).
   */
  String bedrockBaseUrl();

  /** The model ids it serves, for chat and embeddings alike. */
  List<String> models();
}
