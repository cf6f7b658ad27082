package dev.switchboard.sim;

import java.util.List;

/**
 * One simulated provider deployment: an OpenAI-compatible HTTP/1.1 server on its own loopback port.
 *
 * <p>Point an OpenAI client at {@link #baseUrl()}. Implementations are thread-safe; the values never change while the
 * simulator runs (a refused deployment keeps its port and listens on it again when the fault is cleared).
 */
public interface SimDeployment {
  String name();

  String region();

  /** The bound port; for a spec with port 0 this is the ephemeral port chosen at start. */
  int port();

  /** {@code http://<host>:<port>/v1}, the base URL the OpenAI SDKs expect. */
  String baseUrl();

  /** The model ids it serves, for chat and embeddings alike. */
  List<String> models();
}
