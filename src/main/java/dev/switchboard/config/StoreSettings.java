package dev.switchboard.config;

import dev.switchboard.access.SecretBox;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code store:} section, then SWITCHBOARD_STORE_TYPE, _URL, _USER and _PASSWORD (each overriding its
 * field). The password is a credential: an {@code ${ENV}} reference or an {@code enc:v1:} value, with the usual
 * warning when written in plain text. Messages never show it.
 */
final class StoreSettings {
  static final int DEFAULT_POOL_SIZE = 8;

  private StoreSettings() {}

  static SwitchboardConfig.Store read(ConfigNode node, Credentials credentials, Function<String, String> env,
      Path home, Function<ConfigNode, String> resolver) {
    Map<String, ConfigNode> m = node == null || node.value() == null ? Map.of() : node.map();
    for (Map.Entry<String, ConfigNode> e : m.entrySet()) {
      if (!Set.of("type", "url", "user", "password", "pool_size").contains(e.getKey())) {
        throw e.getValue().error("unknown setting '" + e.getKey() + "' (known here: password, pool_size, type, url, "
            + "user)");
      }
    }
    String type = m.containsKey("type") ? resolver.apply(m.get("type")) : "sqlite";
    String url = m.containsKey("url") ? resolver.apply(m.get("url")) : null;
    String user = m.containsKey("user") ? resolver.apply(m.get("user")) : null;
    String password = m.containsKey("password") ? credentials.read(m.get("password")) : null;
    int pool = m.containsKey("pool_size") ? m.get("pool_size").integer(1, 200) : DEFAULT_POOL_SIZE;

    String envType = nonBlank(env.apply("SWITCHBOARD_STORE_TYPE"));
    String envUrl = nonBlank(env.apply("SWITCHBOARD_STORE_URL"));
    String envUser = nonBlank(env.apply("SWITCHBOARD_STORE_USER"));
    String envPassword = nonBlank(env.apply("SWITCHBOARD_STORE_PASSWORD"));
    if (envType != null) type = envType;
    if (envUrl != null) url = envUrl;
    if (envUser != null) user = envUser;
    if (envPassword != null) password = SecretBox.sealed(envPassword) ? open(envPassword, home, env) : envPassword;

    String where = m.containsKey("type") ? m.get("type").where() + ": store.type" : "SWITCHBOARD_STORE_TYPE";
    if (!type.equals("sqlite") && !type.equals("postgres")) {
      throw new ConfigException(where + ": '" + type + "' is not a store type; use sqlite (the embedded file, the "
          + "default) or postgres");
    }
    if (type.equals("sqlite")) {
      if (url != null || user != null || password != null || m.containsKey("pool_size")) {
        throw new ConfigException((node != null ? node.where() + ": " : "") + "store: url, user, password and "
            + "pool_size are for type postgres; the embedded store (type sqlite) is switchboard.db in the state "
            + "directory. Set store.type: postgres, or remove them");
      }
      return SwitchboardConfig.Store.EMBEDDED;
    }
    if (url == null) {
      throw new ConfigException((node != null ? node.where() + ": " : "") + "store.url is required for type "
          + "postgres: write it like jdbc:postgresql://127.0.0.1:5432/switchboard (or set SWITCHBOARD_STORE_URL)");
    }
    if (!url.startsWith("jdbc:postgresql://")) {
      String shown = url.replaceAll("(?i)password=[^&]*", "password=***").replaceAll("//([^/@:]+):[^/@]*@",
          "//$1:***@");
      throw new ConfigException((m.containsKey("url") && envUrl == null ? m.get("url").where() + ": " : "")
          + "store.url '" + shown + "' is not a PostgreSQL JDBC URL; write it like "
          + "jdbc:postgresql://127.0.0.1:5432/switchboard");
    }
    return new SwitchboardConfig.Store(type, url, user, password, pool);
  }

  private static String open(String sealed, Path home, Function<String, String> env) {
    try {
      return SecretBox.existing(home, env).open(sealed);
    } catch (RuntimeException e) {
      throw new ConfigException("SWITCHBOARD_STORE_PASSWORD is encrypted, but it does not open: " + e.getMessage());
    }
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
