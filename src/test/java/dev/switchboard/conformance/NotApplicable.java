package dev.switchboard.conformance;

/** Thrown by a check whose feature does not exist for that pairing (e.g. cache markers from OpenAI clients). */
final class NotApplicable extends RuntimeException {
  NotApplicable(String why) {
    super(why, null, false, false);
  }
}
