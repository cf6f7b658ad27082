package dev.switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.access.Budget;
import dev.switchboard.access.Keys;
import dev.switchboard.access.Limits;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} scraped and parsed after real traffic from the OpenAI and Anthropic SDKs (plain, streamed, and
 * failing), against the simulator's own ledger: request counts by model and status, GenAI token usage equal to what
 * the upstream counted, time to first token per stream, a deployment's circuit opening under faults, upstream
 * attempts, a team's budget, and nothing left in flight.
 */
final class MetricsE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    if (fx != null) fx.close();
  }

  @Test
  void scrapedMetricsAgreeWithTheTrafficAndTheUpstreamsLedger() {
    fx.gateway().keys().createTeam("metrics-team", Limits.NONE, List.of(Budget.parse("5/day")), Map.of());
    Keys.Issued key = fx.gateway().keys().createKey(new Keys.KeySpec("metrics-team", "metrics-key", null, Limits.NONE,
        List.of(), null, Map.of(), false));
    OpenAIClient openai = fx.client(key.secret());
    AnthropicClient anthropic = AnthropicOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + fx.gateway().port()).apiKey(GatewayFixture.MASTER_KEY).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
    try {
      Scrape before = scrape();
      assertThat(before.value("switchboard_circuit_state", "deployment", "sim-faulty/sim-large")).isEqualTo(0);

      for (int i = 0; i < 3; i++) {
        openai.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
            .addUserMessage("plain " + i).build());
      }
      try (var s = openai.chat().completions().createStreaming(ChatCompletionCreateParams.builder().model("chat")
          .addUserMessage("streamed").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
          .build())) {
        s.stream().forEach((ChatCompletionChunk c) -> { });
      }
      anthropic.messages().create(MessageCreateParams.builder().model("claude").maxTokens(50L)
          .addUserMessage("translated").build());
      try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(
          MessageCreateParams.builder().model("claude").maxTokens(50L).addUserMessage("streamed").build())) {
        s.stream().forEach(e -> { });
      }
      // Five failures in a row trip a deployment's breaker (the model makes one attempt each).
      fx.sim().setFault(GatewayFixture.FAULTY, Fault.status(500));
      try {
        for (int i = 0; i < 5; i++) {
          int n = i;
          assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
              .model("faulty").addUserMessage("failing " + n).build())).isNotNull();
        }
      } finally {
        fx.clearFaults();
      }

      Scrape after = awaitScrape(s -> s.value("switchboard_requests_in_flight") == 0
          && s.sum("switchboard_requests_total", "model", "faulty") == 5);
      assertThat(after.contentType).startsWith("text/plain; version=0.0.4");

      assertThat(after.value("switchboard_requests_total", "front_door", "openai", "endpoint", "chat", "model", "chat",
          "status", "2xx", "outcome", "completed")).isEqualTo(4);
      assertThat(after.value("switchboard_requests_total", "front_door", "anthropic", "endpoint", "messages",
          "model", "claude", "status", "2xx", "outcome", "completed")).isEqualTo(2);
      assertThat(after.sum("switchboard_requests_total", "model", "faulty", "status", "5xx")).isEqualTo(5);
      assertThat(after.sum("switchboard_errors_total", "endpoint", "chat", "kind", "upstream")).isEqualTo(5);
      assertThat(after.sum("switchboard_request_duration_seconds_count", "model", "chat")).isEqualTo(4);

      // GenAI token usage is what the upstream counted for the answers it completed.
      List<LedgerEntry> completed = fx.ledger().entries().stream().filter(e -> e.outcome().equals("completed"))
          .toList();
      assertThat(completed).hasSize(6);
      long input = completed.stream().mapToLong(LedgerEntry::promptTokens).sum();
      long output = completed.stream().mapToLong(LedgerEntry::completionTokens).sum();
      assertThat(input).isPositive();
      assertThat(output).isPositive();
      assertThat(after.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "input")).isEqualTo(input);
      assertThat(after.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "output")).isEqualTo(output);
      assertThat(after.sum("gen_ai_client_token_usage_count", "gen_ai_token_type", "input")).isEqualTo(6);
      assertThat(after.sum("gen_ai_client_token_usage_sum", "team", "metrics-team", "gen_ai_request_model", "chat",
          "gen_ai_token_type", "output")).isEqualTo(completed.stream().filter(e -> e.endpoint().equals("chat"))
          .mapToLong(LedgerEntry::completionTokens).sum());
      assertThat(after.sum("gen_ai_client_token_usage_count", "gen_ai_provider_name", "anthropic",
          "gen_ai_token_type", "input")).isEqualTo(2);
      // One time to first token per successful stream (OpenAI and Anthropic), none for plain answers.
      assertThat(after.sum("gen_ai_server_time_to_first_token_seconds_count")).isEqualTo(2);
      assertThat(after.sum("gen_ai_client_operation_duration_seconds_count", "deployment", "sim-faulty/sim-large",
          "error_type", "upstream")).isEqualTo(5);

      // The faults opened the deployment's circuit; each failed attempt was counted against it.
      assertThat(after.value("switchboard_circuit_state", "deployment", "sim-faulty/sim-large")).isEqualTo(2);
      assertThat(after.value("switchboard_circuit_state", "deployment", "sim/sim-large")).isEqualTo(0);
      assertThat(after.value("switchboard_upstream_attempts_total", "deployment", "sim-faulty/sim-large",
          "result", "failure")).isEqualTo(5);
      assertThat(after.value("switchboard_upstream_attempts_total", "deployment", "sim/sim-large",
          "result", "success")).isEqualTo(4);

      // The team's budget has what its requests did not spend.
      double spent = after.sum("switchboard_cost_usd_total", "team", "metrics-team");
      assertThat(after.value("switchboard_budget_remaining_usd", "scope", "team", "name", "metrics-team",
          "period", "day")).isCloseTo(5 - spent, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(after.value("switchboard_store_up", "type", "sqlite")).isEqualTo(1);
      assertThat(after.value("switchboard_usage_spool_records")).isEqualTo(0);
      assertThat(after.samples).noneMatch(s -> s.name.startsWith("switchboard_redis_up"));
      // Scrapes are not requests.
      assertThat(after.sum("switchboard_requests_total", "endpoint", "metrics")).isZero();
    } finally {
      anthropic.close();
    }
  }

  @Test
  void openMetricsWhenAskedFor() {
    HttpResponse<String> r = fx.send(HttpRequest.newBuilder(metricsUri())
        .header("accept", "application/openmetrics-text; version=1.0.0").GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("application/openmetrics-text"));
    assertThat(r.body()).contains("# TYPE switchboard_circuit_state gauge").endsWith("# EOF\n");
  }

  private static URI metricsUri() {
    return URI.create("http://127.0.0.1:" + fx.gateway().port() + "/metrics");
  }

  private static Scrape scrape() {
    HttpResponse<String> r = fx.send(HttpRequest.newBuilder(metricsUri()).GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    return Scrape.parse(r.headers().firstValue("content-type").orElse(""), r.body());
  }

  /**
   * Scrapes until {@code ready} holds (10 s at most): the observers hear of an exchange just after its last byte left,
   * so a scrape sent the moment the client has its answer may come before them.
   */
  private static Scrape awaitScrape(Predicate<Scrape> ready) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Scrape s = scrape();
    while (!ready.test(s) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      s = scrape();
    }
    return s;
  }

  /** One sample line of the text format. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** A parsed Prometheus text-format (0.0.4) answer. */
  static final class Scrape {
    final String contentType;
    final List<Sample> samples;

    private Scrape(String contentType, List<Sample> samples) {
      this.contentType = contentType;
      this.samples = samples;
    }

    static Scrape parse(String contentType, String body) {
      List<Sample> samples = new ArrayList<>();
      for (String line : body.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) continue;
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String name;
        Map<String, String> labels = new HashMap<>();
        int rest;
        if (brace >= 0 && brace < space) {
          name = line.substring(0, brace);
          rest = labels(line, brace + 1, labels);
        } else {
          name = line.substring(0, space);
          rest = space;
        }
        String[] tail = line.substring(rest).trim().split(" ");
        samples.add(new Sample(name, labels, Double.parseDouble(tail[0])));
      }
      return new Scrape(contentType, samples);
    }

    /** Reads {@code a="x",b="y"}} from {@code at}; returns the index after the closing brace. */
    private static int labels(String line, int at, Map<String, String> into) {
      int i = at;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        StringBuilder value = new StringBuilder();
        int j = eq + 2; // past ="
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = line.charAt(++j);
            value.append(n == 'n' ? '\n' : n);
          } else {
            value.append(c);
          }
        }
        into.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') i++;
      }
      return i + 1;
    }

    private List<Sample> matching(String name, String... labels) {
      return samples.stream().filter(s -> s.name.equals(name) && has(s, labels)).toList();
    }

    private static boolean has(Sample s, String... labels) {
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels.getOrDefault(labels[i], ""))) return false;
      }
      return true;
    }

    /** The one sample of {@code name} with these labels (name/value pairs); fails if there is not exactly one. */
    double value(String name, String... labels) {
      List<Sample> m = matching(name, labels);
      assertThat(m).as("%s %s in\n%s", name, List.of(labels), names()).hasSize(1);
      return m.getFirst().value;
    }

    /** The sum of every sample of {@code name} with these labels; 0 when there is none. */
    double sum(String name, String... labels) {
      return matching(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    private List<String> names() {
      return samples.stream().map(s -> s.name + s.labels).toList();
    }
  }
}
