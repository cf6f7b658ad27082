package dev.switchboard.sim;

import java.util.List;

/**
 * One simulated provider deployment: an HTTP/1.1 server on its own loopback port that speaks both the OpenAI API and
 * the Anthropic Messages API.
 *
 * <p>Point an OpenAI client at {@link #baseUrl()}, an Anthropic client at {@link #anthropicBaseUrl()}. Implementations are thread-safe; the values never change while the
 * simulator runs (a refused deployment keeps its port and listens on it again when the fault is cleared).
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

  /** The model ids it serves, for chat and embeddings alike. */
  List<String> models();
}
