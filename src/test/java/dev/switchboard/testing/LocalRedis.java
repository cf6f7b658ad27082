package dev.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis server for tests, from Debian's {@code redis-server} ({@code bin/test} installs it when missing): on
 * a free loopback port, without persistence, in a temporary directory; stopped when the JVM exits. {@link #stop}
 * and {@link #start} take it down and bring it back on the same port (empty), for the degraded-mode tests. One per
 * JVM: {@link #shared()}; tests keep apart by key prefix, or with {@link #newServer()}.
 */
public final class LocalRedis {
  private static LocalRedis shared;

  private final String binary;
  private final Path dir;
  private final int port;
  private Process process;

  private LocalRedis(String binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
  }

  public static synchronized LocalRedis shared() {
    if (shared == null) shared = newServer();
    return shared;
  }

  /** A server of the test's own, stopped at JVM exit. */
  public static LocalRedis newServer() {
    String binary = System.getenv().getOrDefault("SWITCHBOARD_REDIS_SERVER", "/usr/bin/redis-server");
    if (!Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException("No " + binary + ": run the tests with bin/test, which installs Debian's "
          + "redis-server package, or set SWITCHBOARD_REDIS_SERVER.");
    }
    try {
      LocalRedis r = new LocalRedis(binary, Files.createTempDirectory("switchboard-redis-"), LocalPostgres.freePort());
      r.start();
      Runtime.getRuntime().addShutdownHook(new Thread(r::stop, "local-redis-stop"));
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server (again) on the same port; returns when it accepts connections. */
  public synchronized void start() {
    if (process != null && process.isAlive()) return;
    try {
      process = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode",
          "no")).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("server.log")));
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return;
        } catch (IOException notYet) {
          process.waitFor(20, TimeUnit.MILLISECONDS); // polls the port: the server says nothing when it is ready
        }
      }
      throw new IllegalStateException("redis-server did not listen on port " + port + " within 30 s");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills the server, as an outage would. */
  public synchronized void stop() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return port;
  }

  /** The connection string for Switchboard's config. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }
}
