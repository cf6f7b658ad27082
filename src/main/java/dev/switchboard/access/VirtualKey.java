package dev.switchboard.access;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A key the gateway issued to a client. The key itself is shown once, at creation; only its SHA-256 hash is kept
 * (the key is 256 random bits, so a slow password hash would add nothing). A key made for SigV4 clients also has an
 * access key id and a secret; the secret must be recoverable to verify signatures, so it is kept encrypted
 * ({@code sealedSecret}), never hashed.
 *
 * @param id stable identifier, also the public part of the key ({@code sk-sbv-<id>…})
 * @param teamId the team it belongs to
 * @param prefix the safe-to-show start of the key
 * @param hash SHA-256 of the whole key, lower-case hex
 * @param models the logical models it may use; empty for all
 * @param expiresMillis when it stops working (Unix milliseconds), or null for never
 * @param enabled false once revoked or disabled
 * @param accessKeyId the SigV4 access key id, or null for a bearer-only key
 * @param sealedSecret the SigV4 secret access key, encrypted at rest (see {@link SecretBox}), or null
 * @param logContent true when the request log keeps this key's prompts and answers (secrets redacted); off unless
 *     an administrator turned it on for the key
 */
public record VirtualKey(String id, String teamId, String name, String prefix, String hash, Set<String> models,
    Limits limits, List<Budget> budgets, Long expiresMillis, Map<String, String> metadata, boolean enabled,
    long createdMillis, String accessKeyId, String sealedSecret, boolean logContent) {
  public VirtualKey {
    models = models == null ? Set.of() : Set.copyOf(models);
    limits = limits == null ? Limits.NONE : limits;
    budgets = budgets == null ? List.of() : List.copyOf(budgets);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** Without content logging, the default. */
  public VirtualKey(String id, String teamId, String name, String prefix, String hash, Set<String> models,
      Limits limits, List<Budget> budgets, Long expiresMillis, Map<String, String> metadata, boolean enabled,
      long createdMillis, String accessKeyId, String sealedSecret) {
    this(id, teamId, name, prefix, hash, models, limits, budgets, expiresMillis, metadata, enabled, createdMillis,
        accessKeyId, sealedSecret, false);
  }

  public boolean allows(String model) {
    return models.isEmpty() || models.contains(model);
  }

  public boolean expired(long nowMillis) {
    return expiresMillis != null && nowMillis >= expiresMillis;
  }

  public VirtualKey withEnabled(boolean on) {
    return new VirtualKey(id, teamId, name, prefix, hash, models, limits, budgets, expiresMillis, metadata, on,
        createdMillis, accessKeyId, sealedSecret, logContent);
  }

  @Override
  public String toString() {
    return "VirtualKey[" + prefix + " " + name + "]"; // never the hash or the sealed secret
  }
}
