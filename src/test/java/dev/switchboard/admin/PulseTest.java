package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PulseTest {
  private long now = 1_795_000_000_000L;
  private final InstantSource clock = () -> Instant.ofEpochMilli(now);
  private final Pulse pulse = new Pulse(clock);

  private static ExchangeRecord record(String endpoint, int status, long millis, long firstByteMillis, long out) {
    return new ExchangeRecord("req", endpoint, "m", "p", "u", true, status, "completed",
        new Usage(10, out, 0, 0, 0, false), TimeUnit.MILLISECONDS.toNanos(millis),
        TimeUnit.MILLISECONDS.toNanos(firstByteMillis), "p/u", "r", 1, null, null, null);
  }

  @Test
  void sumsTheWindowAndForgetsWhatFellOutOfIt() {
    for (int i = 0; i < 99; i++) pulse.ended(record("chat", 200, 100, 20, 5));
    pulse.ended(record("chat", 503, 3000, 0, 0));
    pulse.ended(record("admin", 200, 1, 1, 0)); // the dashboard's own polling is not traffic
    Map<String, Object> s = pulse.snapshot(10);
    assertThat(s).containsEntry("requests", 100L).containsEntry("errors", 1L).containsEntry("error_rate", 0.01)
        .containsEntry("requests_per_second", 10.0).containsEntry("tokens_per_second", 149.5);
    // Rounded up to the histogram bucket: 100 ms -> 108 ms (2^6.75), 3 s -> 3444 ms.
    assertThat(s.get("latency_ms")).isEqualTo(Map.of("p50", 108L, "p99", 108L));
    assertThat(s.get("time_to_first_byte_ms")).isEqualTo(Map.of("p50", 23L, "p99", 23L));
    assertThat(pulse.snapshot(1).get("requests")).isEqualTo(100L);

    now += 5_000;
    pulse.ended(record("messages", 200, 3000, 0, 0));
    assertThat(pulse.snapshot(10).get("requests")).isEqualTo(101L);
    assertThat(pulse.snapshot(5).get("requests")).isEqualTo(1L);

    now += 200_000; // the ring has come round: old seconds are not counted again
    assertThat(pulse.snapshot(120).get("requests")).isEqualTo(0L);
    assertThat(((Map<?, ?>) pulse.snapshot(120).get("latency_ms")).get("p50")).isNull();
  }

  @Test
  void bucketsBoundTheirValues() {
    for (long ms : new long[] {0, 1, 2, 7, 100, 999, 60_000}) {
      int b = Pulse.bucket(TimeUnit.MILLISECONDS.toNanos(ms));
      assertThat(Pulse.upper(b)).isGreaterThanOrEqualTo(ms);
      if (b > 0) assertThat(Pulse.upper(b - 1)).isLessThanOrEqualTo(ms);
    }
  }

  @Test
  void refusesWindowsItDoesNotKeep() {
    assertThatThrownBy(() -> pulse.snapshot(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pulse.snapshot(Pulse.MAX_WINDOW + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(OverviewEndpoint.window("2m")).isEqualTo(120);
    assertThat(OverviewEndpoint.window("45s")).isEqualTo(45);
    assertThat(OverviewEndpoint.window(null)).isEqualTo(60);
    assertThatThrownBy(() -> OverviewEndpoint.window("1h")).isInstanceOf(BadInput.class).hasMessageContaining("60s");
  }
}
