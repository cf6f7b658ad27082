package dev.switchboard.cli;

import dev.switchboard.access.SecretBox;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code switchboard secrets encrypt | status}: encrypts a provider credential under the master encryption key, to
 * paste into the config as an {@code enc:v1:…} value, and says which key is in use. The secret is read from standard
 * input, or typed at a prompt that does not echo it; it is never an argument, so it stays out of shell history and
 * the process list.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Encrypt provider credentials for the config file, and show which encryption key is in use.",
    subcommands = {SecretsCommand.Encrypt.class, SecretsCommand.Status.class})
public final class SecretsCommand implements Runnable {
  private static final String HOME = "State directory holding encryption.key (default: $SWITCHBOARD_HOME, else "
      + "~/.switchboard)";

  // Seams for tests; the command line uses the process's own.
  Function<String, String> env = System::getenv;
  InputStream in = System.in;
  PrintStream out = System.out;
  PrintStream err = System.err;
  Console console = System.console();

  @Override
  public void run() {
    out.println("Usage: switchboard secrets encrypt | status (see --help)");
  }

  Path home(Path home) {
    if (home != null) return home;
    String fromEnv = env.apply("SWITCHBOARD_HOME");
    if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv.trim());
    return Path.of(System.getProperty("user.home"), ".switchboard");
  }

  /** {@code secrets encrypt}: prints the {@code enc:v1:} form of one secret. */
  @Command(name = "encrypt", mixinStandardHelpOptions = true,
      description = "Read a secret from standard input (or a prompt that does not echo) and print it encrypted, as "
          + "an enc:v1: value for the config file. Creates the encryption key if there is none yet.")
  static final class Encrypt implements Callable<Integer> {
    @ParentCommand SecretsCommand parent;

    @Option(names = "--home", description = HOME)
    Path home;

    @Override
    public Integer call() throws IOException {
      String secret = read();
      if (secret.isEmpty()) {
        parent.err.println("switchboard: nothing to encrypt: type the secret, or pipe it in "
            + "(printf %s \"$KEY\" | switchboard secrets encrypt)");
        return 2;
      }
      SecretBox box;
      try {
        box = SecretBox.load(parent.home(home), parent.env);
      } catch (RuntimeException e) {
        parent.err.println("switchboard: " + e.getMessage());
        return 1;
      }
      parent.out.println(box.seal(secret));
      parent.err.println("Encrypted with the key from " + box.origin() + ". Paste the line above into the config "
          + "(for example api_key: enc:v1:…); the gateway must start with the same key.");
      return 0;
    }

    /** The secret without the line end a shell or a prompt adds. */
    private String read() throws IOException {
      if (parent.console != null && parent.in == System.in) {
        char[] typed = parent.console.readPassword("Secret to encrypt (not shown): ");
        if (typed == null) return "";
        String s = new String(typed).strip();
        Arrays.fill(typed, ' ');
        return s;
      }
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      parent.in.transferTo(buf);
      String s = buf.toString(StandardCharsets.UTF_8);
      while (s.endsWith("\n") || s.endsWith("\r")) s = s.substring(0, s.length() - 1);
      return s;
    }
  }

  /** {@code secrets status}: which key is in use and, with a config, how each credential in it is kept. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show where the master encryption key comes from and, given a config, which of its credentials "
          + "are in plain text.")
  static final class Status implements Callable<Integer> {
    @ParentCommand SecretsCommand parent;

    @Option(names = "--config", description = "YAML config file to check (default: $SWITCHBOARD_CONFIG, else none)")
    Path config;

    @Option(names = "--home", description = HOME)
    Path home;

    @Override
    public Integer call() {
      Path home = parent.home(this.home);
      parent.out.println("Encryption key: " + SecretBox.source(home, parent.env));
      SwitchboardConfig cfg;
      try {
        cfg = new ConfigLoader(parent.env).load(new ConfigLoader.Flags(config, null, null, home));
      } catch (ConfigException e) {
        parent.err.println("switchboard: configuration error: " + e.getMessage());
        return 2;
      }
      if (cfg.source() == null) {
        parent.out.println("No config file given (--config or SWITCHBOARD_CONFIG): nothing else to check.");
        return 0;
      }
      parent.out.println("Config " + cfg.source() + ": its encrypted credentials, if any, open with this key.");
      if (cfg.plaintextCredentials().isEmpty()) {
        parent.out.println("No credential is written in plain text.");
      } else {
        parent.out.println("In plain text (encrypt each with 'switchboard secrets encrypt'):");
        for (String field : cfg.plaintextCredentials()) parent.out.println("  " + field);
      }
      return 0;
    }
  }
}
