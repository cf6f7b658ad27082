package dev.switchboard.metering;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage records that could not be written to the store, kept on disk until it can be: one JSON line per record in
 * {@value #FILE} in the state directory (another name when instances share the directory: see the constructor),
 * each appended batch forced to disk before {@link #append} returns, so a crash loses none of them. Bounded to {@code limit} records: beyond it records are refused (the caller drops them
 * and says so). Used by the Meter's one writer thread only; not thread-safe, except {@link #size}.
 */
final class Spool {
  static final String FILE = "usage-spool.jsonl";
  private static final Logger log = LoggerFactory.getLogger(Spool.class);

  /** One record as spooled: flat, with the cost as a decimal string so that it comes back exact. */
  record Line(String id, String endpoint, String model, String provider, String upstreamModel, boolean stream,
      int status, String outcome, Long in, Long out, Long cacheRead, Long cacheWrite, Long reasoning, boolean estimated,
      long durationNanos, long firstByteNanos, String deployment, String region, int attempts, String cost,
      String keyId, String teamId, long endedMillis) {

    static Line of(ExchangeRecord r, long atMillis) {
      Usage u = r.usage();
      return new Line(r.requestId(), r.endpoint(), r.model(), r.provider(), r.upstreamModel(), r.stream(), r.status(),
          r.outcome(), u == null ? null : u.inputTokens(), u == null ? null : u.outputTokens(),
          u == null ? null : u.cacheReadTokens(), u == null ? null : u.cacheWriteTokens(),
          u == null ? null : u.reasoningTokens(), u != null && u.estimated(), r.durationNanos(), r.firstByteNanos(),
          r.deployment(), r.region(), r.attempts(), r.cost() == null ? null : r.cost().toPlainString(), r.keyId(),
          r.teamId(), r.endedMillis() > 0 ? r.endedMillis() : atMillis);
    }

    ExchangeRecord record() {
      Usage u = in == null ? null : new Usage(in, out, cacheRead, cacheWrite, reasoning, estimated);
      return new ExchangeRecord(id, endpoint, model, provider, upstreamModel, stream, status, outcome, u,
          durationNanos, firstByteNanos, deployment, region, attempts, cost == null ? null : new BigDecimal(cost),
          keyId, teamId, endedMillis);
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final long limit;
  private volatile long size;

  /**
   * Opens this process's spool in {@code home}: {@value #FILE}, or when another live process holds that (instances
   * sharing a state directory) the first of {@code usage-spool-2.jsonl}, {@code -3}, … that none holds. Each file is
   * locked for the life of its process, so two never write or replay one spool. What dead processes left in the
   * other spool files is moved into this one, to be written with it.
   */
  Spool(Path home, long limit) {
    this.limit = limit;
    try {
      Files.createDirectories(home);
      Path taken = null;
      FileChannel ch = null;
      FileLock held = null;
      for (int slot = 1; held == null; slot++) {
        if (slot > MAX_SLOTS) {
          throw new IllegalStateException(MAX_SLOTS + " processes already spool usage in " + home + "; give each "
              + "instance a state directory of its own");
        }
        taken = home.resolve(name(slot));
        ch = FileChannel.open(taken, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        held = tryLock(ch);
        if (held == null) ch.close();
      }
      this.file = taken;
      this.channel = ch;
      this.lock = held;
      adoptOrphans(home);
      size = countLines();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the usage spool in " + home + ": " + e.getMessage(), e);
    }
  }

  private static final int MAX_SLOTS = 64;

  private static String name(int slot) {
    return slot == 1 ? FILE : "usage-spool-" + slot + ".jsonl";
  }

  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by another Meter of this JVM
    }
  }

  /** Appends the spool files no live process holds to this one, forced, then empties them. */
  private void adoptOrphans(Path home) throws IOException {
    for (int slot = 1; slot <= MAX_SLOTS; slot++) {
      Path other = home.resolve(name(slot));
      if (other.equals(file) || !Files.exists(other)) continue;
      try (FileChannel ch = FileChannel.open(other, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock l = tryLock(ch);
        if (l == null || ch.size() == 0) continue;
        long n = ch.size();
        for (long at = 0; at < n; ) at += ch.transferTo(at, n - at, channel.position(channel.size()));
        channel.force(false);
        ch.truncate(0);
        ch.force(false);
        l.release();
        log.info("metering: took over the usage spool {} left by a process that ended", other);
      }
    }
  }

  private long countLines() throws IOException {
    long n = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      while (in.readLine() != null) n++;
    }
    return n;
  }

  /** Records waiting on disk. */
  long size() {
    return size;
  }

  Path file() {
    return file;
  }

  /**
   * Appends as many of {@code records} as the bound allows and forces them to disk.
   *
   * @return how many were appended; the rest did not fit
   */
  int append(List<ExchangeRecord> records, long atMillis) {
    int fit = (int) Math.max(0, Math.min(records.size(), limit - size));
    if (fit == 0) return 0;
    StringBuilder sb = new StringBuilder(fit * 400);
    for (int i = 0; i < fit; i++) {
      sb.append(Json.MAPPER.writeValueAsString(Line.of(records.get(i), atMillis))).append('\n');
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
      channel.position(channel.size());
      while (buf.hasRemaining()) channel.write(buf);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the usage spool " + file + ": " + e.getMessage(), e);
    }
    size += fit;
    return fit;
  }

  /**
   * Hands every spooled record to {@code write} in batches of up to {@code batch}, then empties the spool. When a
   * write throws, the spool is kept whole and the exception passes on: the batches already written are written
   * again at the next replay, which the store ignores by request id.
   */
  void replay(int batch, Consumer<List<ExchangeRecord>> write) {
    if (size == 0) return;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<ExchangeRecord> pending = new ArrayList<>(Math.min(batch, 4096));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        try {
          pending.add(Json.MAPPER.readValue(line, Line.class).record());
        } catch (RuntimeException e) {
          // Only the last line can be torn (a crash during an append that was never acknowledged).
          log.warn("metering: skipping an unreadable line of the usage spool {}", file);
          continue;
        }
        if (pending.size() >= batch) {
          write.accept(pending);
          pending = new ArrayList<>(Math.min(batch, 4096));
        }
      }
      if (!pending.isEmpty()) write.accept(pending);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the usage spool " + file + ": " + e.getMessage(), e);
    }
    try {
      // Emptied, not deleted: the lock is on this file, and a new file at the same path would be free to lock.
      channel.truncate(0);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty the usage spool " + file + ": " + e.getMessage(), e);
    }
    size = 0;
  }

  /** Releases the spool file; what it holds stays for the next start. */
  void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      log.warn("metering: closing the usage spool {}: {}", file, e.getMessage());
    }
  }
}
