package dev.switchboard.cli;

import dev.switchboard.Version;
import dev.switchboard.access.MasterKey;
import dev.switchboard.provider.Provider;
import dev.switchboard.server.Gateway;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The start-up banner: what was found, the key, and examples to copy and paste. */
final class Banner {
  private Banner() {}

  static String text(Gateway g) {
    StringBuilder b = new StringBuilder();
    String base = g.openAiBaseUrl();
    b.append("\nSwitchboard ").append(Version.current()).append(" is listening on ")
        .append(base, 0, base.length() - 3).append('\n');
    if (g.config().source() != null) b.append("  config:    ").append(g.config().source()).append('\n');
    if (g.certificate() != null) b.append("  tls:       ").append(describe(g.certificate())).append('\n');
    for (String note : g.discoveryNotes()) b.append("  found:     ").append(note).append('\n');
    for (Provider p : g.providers()) b.append("  provider:  ").append(p.describe()).append('\n');
    List<String> models = g.catalog().names();
    b.append("  models:    ").append(models.isEmpty() ? "(none listed)" : String.join(", ", models)).append('\n');
    b.append("  state:     ").append(g.config().home()).append('\n');

    MasterKey key = g.masterKey();
    String keyRef;
    if (key.generated()) {
      b.append("\n  Master key (shown once; stored in ").append(key.origin()).append(" with mode 0600):\n    ")
          .append(key.value()).append('\n');
      keyRef = key.value();
    } else if (key.origin().equals("SWITCHBOARD_MASTER_KEY")) {
      b.append("  key:       from SWITCHBOARD_MASTER_KEY (").append(key.masked()).append(")\n");
      keyRef = "$SWITCHBOARD_MASTER_KEY";
    } else {
      b.append("  key:       ").append(key.masked()).append(" in ").append(key.origin()).append('\n');
      keyRef = "$(cat " + key.origin() + ")";
    }

    String model = models.stream().filter(m -> !m.contains("embed")).findFirst().orElse("MODEL");
    b.append("\nTry it:\n");
    // A self-signed certificate is its own CA, so the example can name the file to trust; any other certificate comes
    // from a CA the user's clients must already trust, and --cacert would replace rather than add to curl's CAs.
    X509Certificate cert = g.certificate();
    String trust = cert != null && cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())
        ? "--cacert " + g.config().server().tls().certFile() + " " : "";
    b.append("  curl ").append(trust).append(base).append("/chat/completions \\\n")
        .append("    -H \"Authorization: Bearer ").append(keyRef).append("\" \\\n")
        .append("    -H 'Content-Type: application/json' \\\n")
        .append("    -d '{\"model\":\"").append(model)
        .append("\",\"messages\":[{\"role\":\"user\",\"content\":\"count to 5\"}]}'\n");
    b.append("\n  OpenAI SDK (Python):\n")
        .append("    from openai import OpenAI\n")
        .append("    client = OpenAI(base_url=\"").append(base).append("\", api_key=\"<master key>\")\n")
        .append("    print(client.chat.completions.create(model=\"").append(model)
        .append("\", messages=[{\"role\": \"user\", \"content\": \"Hello\"}]).choices[0].message.content)\n");
    b.append("\n  OpenAI SDK (Java):\n")
        .append("    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(\"").append(base)
        .append("\").apiKey(key).build();\n");
    b.append("\n  Or for any OpenAI client: export OPENAI_BASE_URL=").append(base)
        .append(" OPENAI_API_KEY=<master key>\n\n");
    return b.toString();
  }

  /**
   * The names a client must use to reach the gateway (the URLs below use the listen address, which only works when
   * the certificate names it too) and the expiry, which is what breaks first.
   */
  private static String describe(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> n : cert.getSubjectAlternativeNames()) {
          // 2 = DNS name, 7 = IP address (RFC 5280 GeneralName)
          if (n.get(0) instanceof Integer type && (type == 2 || type == 7)) names.add(String.valueOf(n.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      // Fall back to the subject below.
    }
    String who = names.isEmpty() ? cert.getSubjectX500Principal().getName() : String.join(", ", names);
    Instant until = cert.getNotAfter().toInstant();
    LocalDate day = LocalDate.ofInstant(until, ZoneOffset.UTC);
    return "https for " + who + (until.isBefore(Instant.now()) ? " (EXPIRED on " + day + ")" : " (until " + day + ")");
  }

}
