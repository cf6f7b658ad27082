package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that ends without the upstream's usage, because the client left or the upstream broke it, is still
 * metered: on an estimate, flagged as one, priced like real usage. Output is estimated from what was relayed (one
 * token per content delta), input from the upstream's own count where it gave one at the stream's start (Anthropic),
 * else from a tokenizer over the request. The simulator's ledger says what the upstream served; the estimate must
 * not fall below it by more than the chunks in flight, and must not invent output.
 */
final class AbortedStreamMeteringTest {
  @TempDir Path dir;
  MeteredFleet fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = MeteredFleet.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    fleet.close();
  }

  @Test
  void aStreamTheClientLeftIsMeteredOnAnEstimateForEveryBackendKind() {
    // The OpenAI relay (bytes, never decoded) and two translated streams: Anthropic's, which reports its input at
    // the start, and Bedrock's, which reports nothing before its end.
    try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = fleet.openai.chat().completions()
        .createStreaming(ChatCompletionCreateParams.builder().model("paced-openai").addUserMessage("tell me a story")
            .build())) {
      take(s.stream().iterator(), 6);
    }
    for (String model : List.of("paced-anthropic", "paced-bedrock")) {
      try (StreamResponse<RawMessageStreamEvent> s = fleet.anthropic.messages().createStreaming(MessageCreateParams
          .builder().model(model).maxTokens(1000L).addUserMessage("tell me a story").build())) {
        take(s.stream().iterator(), 8);
      }
    }
    List<LedgerEntry> served = List.of(await("paced-openai"), await("paced-anthropic"), await("paced-bedrock"));
    fleet.stopGateway();

    List<UsageRows.Row> rows = fleet.rows();
    assertThat(rows).hasSize(3);
    for (UsageRows.Row row : rows) {
      LedgerEntry entry = served.stream().filter(e -> e.requestId().equals(row.requestId())).findFirst().orElseThrow();
      assertThat(entry.outcome()).as(row.model()).isEqualTo("cancelled");
      assertThat(row.outcome()).as(row.model()).isEqualTo("client_gone");
      assertEstimated(row, entry);
    }
    // Anthropic said how many input tokens it read at the stream's start: that count is kept, not estimated.
    UsageRows.Row anthropic = rows.stream().filter(r -> r.model().equals("paced-anthropic")).findFirst().orElseThrow();
    LedgerEntry anthropicServed = served.get(1);
    assertThat(anthropic.input()).isEqualTo(anthropicServed.promptTokens());
  }

  @Test
  void aStreamTheUpstreamCutIsMeteredOnAnEstimate() {
    fleet.sim.setFault("up", Fault.cut(5).withCount(1));
    Throwable thrown = catchThrowable(() -> {
      try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = fleet.openai.chat().completions()
          .createStreaming(ChatCompletionCreateParams.builder().model("m-openai").addUserMessage("tell me a story")
              .build())) {
        s.stream().forEach(c -> { });
      }
    });
    assertThat(thrown).as("the client hears of the cut").isNotNull();
    LedgerEntry served = await("m-openai");
    fleet.stopGateway();

    List<UsageRows.Row> rows = fleet.rows();
    assertThat(rows).hasSize(1);
    assertThat(served.outcome()).isEqualTo("cut");
    assertThat(rows.getFirst().outcome()).isEqualTo("truncated");
    assertEstimated(rows.getFirst(), served);
  }

  private static void assertEstimated(UsageRows.Row row, LedgerEntry served) {
    System.out.printf("aborted %s (%s): metered in=%d out=%d estimated; upstream served in=%d out=%d%n", row.model(),
        row.outcome(), row.input(), row.output(), served.promptTokens(), served.completionTokens());
    assertThat(row.estimated()).as(row.model()).isTrue();
    assertThat(served.completionTokens()).as(row.model()).isPositive();
    // What reached the gateway, plus the role and stop chunks the relay cannot tell from content: at most what was
    // served plus those two; less than served only by what the simulator wrote between the gateway's last read and
    // its reset reaching the simulator (at 50 tokens/s, 10 chunks is a 200 ms stall of a loaded machine).
    assertThat(row.output()).as("estimated output of %s", row.model())
        .isBetween(Math.max(1, served.completionTokens() - 10L), served.completionTokens() + 2L);
    assertThat(row.input()).as("estimated input of %s", row.model()).isGreaterThanOrEqualTo(served.promptTokens());
    assertThat(row.cost()).as("cost of %s", row.model()).isEqualByComparingTo(MeteredFleet.PRICES.get(row.model())
        .cost(row.input() - row.cacheRead() - row.cacheWrite(), row.cacheRead(), row.cacheWrite(), row.output()));
  }

  private LedgerEntry await(String model) {
    try {
      return fleet.sim.ledger().await(e -> e.requestId() != null && served(e, model))
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the simulator never recorded the request for " + model, e);
    }
  }

  /** The ledger knows deployments, not the gateway's models: each paced model has its own provider protocol. */
  private static boolean served(LedgerEntry e, String model) {
    return switch (model) {
      case "paced-openai" -> e.deployment().equals("paced") && e.endpoint().equals("chat");
      case "paced-anthropic" -> e.deployment().equals("paced") && e.endpoint().equals("messages");
      case "paced-bedrock" -> e.deployment().equals("paced") && e.endpoint().equals("converse");
      default -> e.deployment().equals("up");
    };
  }

  private static void take(Iterator<?> it, int n) {
    for (int i = 0; i < n && it.hasNext(); i++) it.next();
  }
}
