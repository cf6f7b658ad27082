package dev.switchboard.stream.eventstream.bench;

import dev.switchboard.stream.eventstream.EventStreamDecoder;
import dev.switchboard.stream.eventstream.EventStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The event-stream codec on its hot path: one ConverseStream text delta per token, out through the encoder (the
 * Bedrock front door) and in through the decoder (the Bedrock backend), the latter in network-sized pieces that
 * split frames.
 *
 * <p>Run after {@code mvn test-compile}, e.g.
 * {@code java -cp target/test-classes:target/classes:<test classpath> org.openjdk.jmh.Main EventStreamBenchmark}.
 * Add {@code -prof gc} for allocation per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventStreamBenchmark {
  private static final String DELTA = "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" the quick brown\"}}";
  private static final int EVENTS = 100;

  private EventStreamMessage delta;
  /** {@link #EVENTS} encoded deltas, cut into 1,000-byte pieces as a socket might deliver them. */
  private List<Buffer> pieces;

  @Setup
  public void setUp() {
    delta = EventStreamMessage.event("contentBlockDelta", DELTA);
    Buffer stream = Buffer.buffer();
    for (int i = 0; i < EVENTS; i++) stream.appendBuffer(EventStreamEncoder.encode(delta));
    pieces = new ArrayList<>();
    for (int at = 0; at < stream.length(); at += 1000) {
      pieces.add(stream.getBuffer(at, Math.min(stream.length(), at + 1000)));
    }
  }

  /** Build and encode one delta, as the front door does per token. */
  @Benchmark
  public Buffer buildAndEncodeDelta() {
    return EventStreamEncoder.encode(EventStreamMessage.event("contentBlockDelta", DELTA));
  }

  @Benchmark
  public Buffer encodeBuiltDelta() {
    return EventStreamEncoder.encode(delta);
  }

  /** Decode {@link #EVENTS} deltas; divide by {@value #EVENTS} for the cost per event. */
  @Benchmark
  public void decodeHundredDeltas(Blackhole bh) {
    EventStreamDecoder decoder = new EventStreamDecoder(bh::consume);
    for (Buffer piece : pieces) decoder.feed(piece);
  }
}
