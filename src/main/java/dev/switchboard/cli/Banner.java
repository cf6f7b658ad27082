package dev.switchboard.cli;

import dev.switchboard.Version;
import dev.switchboard.access.MasterKey;
import dev.switchboard.provider.Provider;
import dev.switchboard.server.Gateway;
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
    b.append("  curl ").append(base).append("/chat/completions \\\n")
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

}
