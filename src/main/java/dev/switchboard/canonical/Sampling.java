package dev.switchboard.canonical;

/** Sampling parameters; each is null when the client did not set it (the provider's default applies). */
public record Sampling(Double temperature, Double topP, Integer topK, Long seed, Double presencePenalty,
    Double frequencyPenalty) {
  public static final Sampling DEFAULT = new Sampling(null, null, null, null, null, null);
}
