package dev.switchboard.conformance;

/** One feature of one client SDK, run against one backend; throws on failure or {@link NotApplicable}. */
@FunctionalInterface
interface Check {
  void run(Cell cell) throws Exception;
}
