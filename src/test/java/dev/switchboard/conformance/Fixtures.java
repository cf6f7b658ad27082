package dev.switchboard.conformance;

import java.util.Base64;

/** Inputs the checks of every SDK family share, so each family sends the same thing. */
final class Fixtures {
  /** A 1×1 transparent PNG. */
  static final String PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
  static final byte[] PNG = Base64.getDecoder().decode(PNG_BASE64);
  static final String SYSTEM = "You are a terse pirate who counts in Latin.";
  static final String TOOL_RESULT = "sunny, 21 C";

  private Fixtures() {}

  /** A system prompt no earlier request has sent, so its first use writes the cache and its second reads it. */
  static String uniqueCachedSystem(String family, Cell cell) {
    return "You are the archivist of " + family + " on " + cell.backend() + ", run " + System.nanoTime()
        + ". Answer briefly and cite the catalogue number of every record you mention.";
  }
}
