package dev.switchboard.cli;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.server.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchboard serve}: starts the gateway and runs until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start the gateway. With no config it discovers providers or starts the built-in simulator.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", description = "YAML config file (default: $SWITCHBOARD_CONFIG, else none)")
  Path config;

  @Option(names = "--port", description = "Port to listen on (default: $SWITCHBOARD_PORT, else 8040)")
  Integer port;

  @Option(names = "--host", description = "Address to listen on (default: $SWITCHBOARD_HOST, else 127.0.0.1)")
  String host;

  @Option(names = "--home", description = "State directory (default: $SWITCHBOARD_HOME, else ~/.switchboard)")
  Path home;

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve HTTPS (default: $SWITCHBOARD_TLS_CERT, "
      + "else server.tls.cert_file, else cleartext)")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert (default: $SWITCHBOARD_TLS_KEY, "
      + "else server.tls.key_file)")
  Path tlsKey;

  @Override
  public Integer call() throws InterruptedException {
    SwitchboardConfig cfg;
    try {
      cfg = new ConfigLoader(System::getenv).load(new ConfigLoader.Flags(config, port, host, home, tlsCert, tlsKey));
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      return 2;
    }
    dev.switchboard.logging.LogSetup.apply(cfg.logging());
    Gateway gateway;
    try {
      gateway = Gateway.start(cfg, System::getenv, new LogObserver());
    } catch (RuntimeException e) {
      System.err.println("switchboard: cannot start: " + e.getMessage());
      return 1;
    }
    System.out.print(Banner.text(gateway));
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      dev.switchboard.logging.LogSetup.flush();
      stopped.countDown();
    }, "switchboard-shutdown"));
    stopped.await();
    return 0;
  }
}
