package dev.switchboard.cli;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a CLI command finds the running gateway and its master key: {@code --url}, else the config's host and port;
 * the key from {@code SWITCHBOARD_MASTER_KEY}, else {@code master.key} in the state directory.
 */
final class GatewayOptions {
  @Option(names = "--url", description = "The gateway (default: from the config's host and port, else "
      + "http://127.0.0.1:8040)")
  URI url;

  @Option(names = "--config", description = "YAML config file (default: $SWITCHBOARD_CONFIG, else none)")
  Path config;

  @Option(names = "--home", description = "State directory holding master.key (default: $SWITCHBOARD_HOME, else "
      + "~/.switchboard)")
  Path home;

  /** @throws AdminClient.Failure when the config is bad or no master key can be found */
  AdminClient client() {
    SwitchboardConfig cfg;
    try {
      cfg = new ConfigLoader(System::getenv).load(new ConfigLoader.Flags(config, null, null, home));
    } catch (ConfigException e) {
      throw new AdminClient.Failure("configuration error: " + e.getMessage());
    }
    URI base = url;
    if (base == null) {
      String host = cfg.server().host();
      if (host.equals("0.0.0.0") || host.equals("::")) host = "127.0.0.1";
      if (host.contains(":")) host = "[" + host + "]";
      base = URI.create((cfg.server().tls() != null ? "https://" : "http://") + host + ":" + cfg.server().port());
    }
    String key = System.getenv("SWITCHBOARD_MASTER_KEY");
    Path keyFile = cfg.home().resolve("master.key");
    if ((key == null || key.isBlank()) && Files.isReadable(keyFile)) {
      try {
        key = Files.readString(keyFile).trim();
      } catch (IOException e) {
        throw new AdminClient.Failure("cannot read " + keyFile + ": " + e.getMessage());
      }
    }
    if (key == null || key.isBlank()) {
      throw new AdminClient.Failure("no master key: set SWITCHBOARD_MASTER_KEY, or pass --home with the gateway's "
          + "state directory (it holds master.key)");
    }
    return new AdminClient(base, key.trim());
  }
}
