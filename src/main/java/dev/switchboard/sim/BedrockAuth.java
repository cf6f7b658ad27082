package dev.switchboard.sim;

import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a Bedrock request carries credentials in a form Bedrock takes (PROTOCOLS.md 0.2, 0.3): a Bedrock API key
 * ({@code Authorization: Bearer …}), or a SigV4 signature whose credential is scoped to the {@code bedrock} service,
 * with the {@code X-Amz-Date} it was made at. The signature itself is not verified and any key is accepted, as the
 * other protocols accept any API key: the simulator checks what a client or gateway could get wrong in the form —
 * signing for {@code bedrock-runtime}, the endpoint's name, is the classic mistake — not the secret.
 */
final class BedrockAuth {
  private static final Pattern SIGV4 = Pattern.compile(
      "AWS4-HMAC-SHA256 +Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request\\s*,\\s*"
          + "SignedHeaders=[^,\\s]+\\s*,\\s*Signature=[0-9a-f]{64}\\s*");

  private BedrockAuth() {}

  /** Null if {@code req} may proceed, else the 403 Bedrock answers. */
  static ApiError check(HttpServerRequest req) {
    String auth = req.getHeader("authorization");
    if (auth == null || auth.isBlank()) return BedrockErrors.missingToken();
    if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).isBlank() ? BedrockErrors.missingToken() : null;
    }
    Matcher m = SIGV4.matcher(auth);
    if (!m.matches()) return BedrockErrors.incompleteSignature();
    if (!m.group(4).equals("bedrock")) {
      return BedrockErrors.invalidSignature("Credential should be scoped to correct service: 'bedrock'. ");
    }
    if (req.getHeader("x-amz-date") == null && req.getHeader("date") == null) {
      return BedrockErrors.incompleteSignature();
    }
    return null;
  }
}
