package dev.switchboard.config;

import dev.switchboard.access.SecretBox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the credential fields of a config file ({@code api_key}, a bedrock provider's AWS keys). An {@code ${ENV}}
 * reference is resolved first; a value that then reads {@code enc:v1:…} (made by {@code switchboard secrets encrypt})
 * is decrypted under the master encryption key; a value written in the file in plain text is noted, so that the start
 * can warn about it. Error messages name the field, its place in the file and the key's source, never the value.
 *
 * <p>The key is opened on the first encrypted value and never created here: a value encrypted earlier only opens
 * under a key that existed then. One instance per load; not thread-safe.
 */
final class Credentials {
  private final Path home;
  private final Function<String, String> env;
  private final Function<ConfigNode, String> resolver;
  private final List<String> plaintext = new ArrayList<>();
  private SecretBox box;

  Credentials(Path home, Function<String, String> env, Function<ConfigNode, String> resolver) {
    this.home = home;
    this.env = env;
    this.resolver = resolver;
  }

  /** The usable value of a credential field. */
  String read(ConfigNode node) {
    String value = resolver.apply(node);
    if (SecretBox.sealed(value)) return open(node, value);
    if (!value.isEmpty() && !node.text().contains("${")) plaintext.add(node.path() + " (" + node.where() + ")");
    return value;
  }

  /**
   * A credential's public half, such as an AWS access key id: it may be encrypted too, but in plain text it is no
   * secret, so it is not listed for the warning.
   */
  String readIdentifier(ConfigNode node) {
    String value = resolver.apply(node);
    return SecretBox.sealed(value) ? open(node, value) : value;
  }

  /** The fields written in plain text, each as {@code path (file:line:column)}. */
  List<String> plaintext() {
    return List.copyOf(plaintext);
  }

  private String open(ConfigNode node, String sealed) {
    if (box == null) {
      try {
        box = SecretBox.existing(home, env);
      } catch (RuntimeException e) {
        throw node.error("this value is encrypted, but " + e.getMessage());
      }
    }
    try {
      return box.open(sealed);
    } catch (IllegalArgumentException e) {
      throw node.error("this encrypted value does not open with the encryption key from " + box.origin()
          + ": it was encrypted under another key, or damaged when copied. Start with the key that encrypted it, "
          + "or encrypt the credential again with 'switchboard secrets encrypt'");
    }
  }
}
