package dev.switchboard.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, validated and immutable. Built by {@link ConfigLoader} from defaults, the
 * optional YAML file, environment variables and command-line flags, in that order of precedence (last wins).
 *
 * @param source the file it came from, or null for the zero-config start
 */
public record SwitchboardConfig(
    Path source,
    Path home,
    Server server,
    Discovery discovery,
    List<Provider> providers,
    List<Model> models) {

  /**
   * The listening side.
   *
   * @param tls the certificate and key to serve HTTPS with, or null to listen in cleartext
   */
  public record Server(String host, int port, long bodyLimitBytes, Duration idleTimeout, Tls tls) {}

  /**
   * The gateway's own certificate: with it the one port speaks HTTPS only (HTTP/2 or HTTP/1.1, chosen by ALPN).
   * Both files are known to be readable; their content is checked when the gateway starts.
   *
   * @param certFile the PEM certificate chain, the server's certificate first
   * @param keyFile the PEM private key of that certificate, unencrypted
   */
  public record Tls(Path certFile, Path keyFile) {}

  /** What the zero-config start looks for when no providers are configured. */
  public record Discovery(boolean enabled, URI ollamaUrl, URI vllmUrl, boolean simulator) {}

  /** Per-provider upstream timeouts; see docs/configuration.md. */
  public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofSeconds(60), Duration.ofMinutes(10));
  }

  /**
   * An upstream. {@code type} is {@code openai} (any OpenAI-compatible server), {@code anthropic} or
   * {@code bedrock} (Bedrock Runtime's Converse API) or {@code gemini} (the Google Gemini API).
   *
   * @param apiKey the credential, already resolved from its {@code ${ENV}} reference; null when none
   * @param caFile PEM certificates to trust for this https upstream instead of the JVM's defaults, or null
   * @param region the AWS region a {@code bedrock} provider signs for, or null (then taken from the host
   *     name {@code bedrock-runtime.<region>.amazonaws.com}, else AWS_REGION, else us-east-1)
   */
  public record Provider(String name, String type, URI baseUrl, String apiKey, Timeouts timeouts,
      boolean http2, int maxConnections, Path caFile, String region) {
    @Override
    public String toString() {
      // Never print the credential.
      return "Provider[" + name + ", " + type + ", " + baseUrl + "]";
    }
  }

  /**
   * A logical model name clients use, served by a provider under its own model id.
   *
   * @param strict refuse (400) a translated request that would lose features, instead of dropping them
   */
  public record Model(String name, String provider, String upstreamModel, boolean strict) {}
}
