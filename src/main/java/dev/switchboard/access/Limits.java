package dev.switchboard.access;

/**
 * Rate limits of a key or a team; a null field is no limit.
 *
 * @param rpm requests per minute
 * @param tpm tokens (input plus output) per minute: admitted on an estimate, corrected by the actual usage
 * @param concurrency requests in flight at once
 */
public record Limits(Integer rpm, Integer tpm, Integer concurrency) {
  public static final Limits NONE = new Limits(null, null, null);

  public Limits {
    positive("rpm", rpm);
    positive("tpm", tpm);
    positive("concurrency", concurrency);
  }

  public boolean none() {
    return rpm == null && tpm == null && concurrency == null;
  }

  private static void positive(String name, Integer v) {
    if (v != null && v <= 0) throw new IllegalArgumentException(name + " must be a positive number, not " + v);
  }
}
