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
 * {@value #FILE} in the state directory, each appended batch forced to disk before {@link #append} returns, so a
 * crash loses none of them. Bounded to {@code limit} records: beyond it records are refused (the caller drops them
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
  private final long limit;
  private volatile long size;

  /** Opens the spool in {@code home}, counting what an earlier run left in it. */
  Spool(Path home, long limit) {
    this.file = home.resolve(FILE);
    this.limit = limit;
    long n = 0;
    if (Files.exists(file)) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        while (in.readLine() != null) n++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the usage spool " + file + ": " + e.getMessage(), e);
      }
    }
    size = n;
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
      Files.createDirectories(file.getParent());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(false);
      }
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
    if (size == 0 && !Files.exists(file)) return;
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
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty the usage spool " + file + ": " + e.getMessage(), e);
    }
    size = 0;
  }
}
