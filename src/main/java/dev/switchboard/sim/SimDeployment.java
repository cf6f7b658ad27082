package dev.switchboard.sim;

import java.util.List;

/**
 * One simulated provider deployment: an HTTP/1.1 server on its own loopback port that speaks the OpenAI API, the
 * Anthropic Messages API and the Gemini API.
 *
 * <p>Point an OpenAI client at {@link #baseUrl()}, an Anthropic client at {@link #anthropicBaseUrl()}, a Gemini client
 * (or a Switchboard provider of type {@code gemini}) at {@link #geminiBaseUrl()}. Implementations are thread-safe; the
 * values never change while the simulator runs (a refused deployment keeps its port and listens on it again when the
 * fault is cleared).
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

  /** The model ids it serves, for chat and embeddings alike. */
  List<String> models();
}
