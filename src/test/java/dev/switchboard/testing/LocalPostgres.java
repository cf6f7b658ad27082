package dev.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: a fresh cluster in a temporary directory, on a free loopback port, started
 * with Debian's server binaries ({@code bin/test} installs them when missing) and stopped when the JVM exits. As
 * root, the server runs as the {@code postgres} user (it refuses to run as root). {@link #stop} and {@link #start}
 * take it down and bring it back on the same port and data, for the degraded-mode tests. One per JVM:
 * {@link #shared()}; each test makes its own database with {@link #newDatabase}.
 */
public final class LocalPostgres {
  private static LocalPostgres shared;

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;
  private int databases;

  private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The JVM's server, started on first use. */
  public static synchronized LocalPostgres shared() {
    if (shared == null) {
      shared = create();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stopQuietly, "local-postgres-stop"));
    }
    return shared;
  }

  /**
   * A server of its own, for a test that stops it: the shared one serves other tests of the JVM. Stopped when the
   * JVM exits.
   */
  public static LocalPostgres newServer() {
    LocalPostgres pg = create();
    Runtime.getRuntime().addShutdownHook(new Thread(pg::stopQuietly, "local-postgres-stop"));
    return pg;
  }

  private static LocalPostgres create() {
    Path bin = findBin();
    try {
      Path dir = Files.createTempDirectory("switchboard-pg-");
      boolean root = "root".equals(System.getProperty("user.name"));
      if (root) exec(List.of("chown", "-R", "postgres:postgres", dir.toString()));
      LocalPostgres pg = new LocalPostgres(bin, dir, freePort(), root);
      pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "switchboard",
          "-A", "trust", "--no-sync", "-E", "UTF8"), true);
      pg.start();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server (again), on the same port and data; returns when it accepts connections. */
  public synchronized void start() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -h 127.0.0.1 -k " + dir + " -c fsync=off -c synchronous_commit=off "
            + "-c full_page_writes=off -c max_connections=200", "start"), true);
  }

  /** Stops the server at once (no checkpoint), as a crash or an outage would. */
  public synchronized void stop() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
        "stop"), true);
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException ignored) {
      // already stopped
    }
  }

  public int port() {
    return port;
  }

  public String user() {
    return "switchboard";
  }

  /** Creates an empty database and returns its JDBC URL. */
  public synchronized String newDatabase() {
    String name = "t" + (++databases) + "_" + ProcessHandle.current().pid();
    run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
        "switchboard", name), true);
    return jdbcUrl(name);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void run(List<String> command, boolean maybeAsPostgres) {
    List<String> full = new ArrayList<>();
    if (maybeAsPostgres && asPostgresUser) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(command);
    exec(full);
  }

  private static void exec(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code SWITCHBOARD_PG_BIN}, else the newest {@code /usr/lib/postgresql/<version>/bin}. */
  private static Path findBin() {
    String env = System.getenv("SWITCHBOARD_PG_BIN");
    if (env != null && !env.isBlank()) return Path.of(env);
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll(
              "\\D", "0")))).orElseThrow();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("No PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql: run "
          + "the tests with bin/test, which installs Debian's postgresql package, or set SWITCHBOARD_PG_BIN.", e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
