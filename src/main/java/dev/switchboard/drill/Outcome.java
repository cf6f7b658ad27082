package dev.switchboard.drill;

/**
 * One drill request as its client saw it.
 *
 * @param startNanos when it was sent, relative to the drill's start
 * @param ok whether the client got a complete, successful answer (a stream counts only if it ended properly)
 * @param region the {@code x-switchboard-region} that served it, or null
 * @param attempts the {@code x-switchboard-attempts} header, or 1 when absent
 */
record Outcome(long startNanos, long latencyNanos, boolean stream, boolean ok, int status, String region,
    int attempts) {
  /** A stream whose answer had begun (200) when it failed: the outage cut it, and no retry can hide that. */
  boolean brokenAfterStart() {
    return stream && !ok && status == 200;
  }
}
