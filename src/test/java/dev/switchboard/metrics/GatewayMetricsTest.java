package dev.switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.access.KeyRing;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.provider.Provider;
import dev.switchboard.routing.Catalog;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Labels stay bounded whatever clients send: a model or deployment outside the configuration is {@code other}, a
 * refused request without a model has none; refusals are counted by kind. No gateway needed: records in, text out.
 */
final class GatewayMetricsTest {
  private static final Provider SIM = new Provider() {
    @Override
    public String name() {
      return "sim";
    }

    @Override
    public String describe() {
      return "sim";
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  };

  private final GatewayMetrics metrics = new GatewayMetrics(new GatewayMetrics.Sources(
      catalog(), List.of(SIM), new KeyRing(null), null,
      () -> 0, null, "sqlite", null));

  private static Catalog catalog() {
    Catalog.Builder b = Catalog.builder();
    b.add("chat", SIM, "sim-large");
    return b.build();
  }

  private static ExchangeRecord record(String model, String deployment, int status, String outcome, Usage usage) {
    return new ExchangeRecord("req-1", "chat", model, deployment == null ? null : "sim", "x", false, status, outcome,
        usage, 2_000_000, 1_000_000, deployment, deployment == null ? null : "default", deployment == null ? 0 : 1,
        null, null, null);
  }

  private String text() {
    return new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
  }

  @Test
  void modelsAndDeploymentsOutsideTheConfigurationAreOther() {
    metrics.started();
    metrics.ended(record("chat", "sim/sim-large", 200, "completed", new Usage(10, 5, 0, 0, 0, false)));
    metrics.started();
    metrics.ended(record("made-up-" + System.nanoTime(), "sim/made-up", 200, "completed",
        new Usage(7, 3, 0, 0, 0, false)));
    String t = text();
    assertThat(t).contains("switchboard_requests_total{endpoint=\"chat\",front_door=\"openai\",model=\"chat\","
        + "outcome=\"completed\",status=\"2xx\"} 1.0");
    assertThat(t).contains("switchboard_requests_total{endpoint=\"chat\",front_door=\"openai\",model=\"other\","
        + "outcome=\"completed\",status=\"2xx\"} 1.0");
    assertThat(t).contains("gen_ai_client_token_usage_sum{deployment=\"other\",gen_ai_operation_name=\"chat\","
        + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"other\",gen_ai_response_model=\"other\","
        + "gen_ai_token_type=\"input\",region=\"other\",team=\"\"} 7.0");
    assertThat(t).doesNotContain("made-up");
    assertThat(t).contains("switchboard_requests_in_flight 0.0");
  }

  @Test
  void refusalsAreCountedByKindAndAreNoGenAiOperation() {
    metrics.started();
    metrics.ended(record(null, null, 401, "rejected", null));
    metrics.started();
    metrics.ended(record("chat", null, 429, "rejected", null));
    String t = text();
    String errors = "switchboard_errors_total{endpoint=\"chat\",front_door=\"openai\",kind=";
    assertThat(t).contains(errors + "\"authentication\"} 1.0").contains(errors + "\"rate_limit\"} 1.0");
    assertThat(t).contains("switchboard_requests_total{endpoint=\"chat\",front_door=\"openai\",model=\"\","
        + "outcome=\"rejected\",status=\"4xx\"} 1.0");
    assertThat(t).doesNotContain("gen_ai_client_operation_duration_seconds_count{");
  }

  @Test
  void errorKinds() {
    assertThat(GatewayMetrics.errorKind("completed", 200)).isNull();
    assertThat(GatewayMetrics.errorKind("upstream_error", 502)).isEqualTo("upstream");
    assertThat(GatewayMetrics.errorKind("rejected", 413)).isEqualTo("too_large");
    assertThat(GatewayMetrics.errorKind("rejected", 503)).isEqualTo("unavailable");
    assertThat(GatewayMetrics.errorKind("client_gone", 499)).isEqualTo("client_gone");
  }
}
