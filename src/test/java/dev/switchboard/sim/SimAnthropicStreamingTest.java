package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Streamed Anthropic messages: the SDK's accumulator, the exact event grammar on the wire, pacing. */
final class SimAnthropicStreamingTest {
  static SimFixture fx;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1),
        new SimDeploymentSpec("paced", "r2", SimFixture.MODELS, 0, Duration.ofMillis(40), 200, 12, 1));
    client = fx.anthropic("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static String type(RawMessageStreamEvent e) {
    if (e.isMessageStart()) return "message_start";
    if (e.isContentBlockStart()) return "content_block_start";
    if (e.isContentBlockDelta()) return "content_block_delta";
    if (e.isContentBlockStop()) return "content_block_stop";
    if (e.isMessageDelta()) return "message_delta";
    if (e.isMessageStop()) return "message_stop";
    return "other";
  }

  @Test
  void accumulatesToTheTextInTheRightOrder() throws Exception {
    List<RawMessageStreamEvent> events = new ArrayList<>();
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(MessageCreateParams.builder()
        .model("sim-large").maxTokens(100).addUserMessage("count to 5").putAdditionalHeader("x-request-id", "s-5")
        .build())) {
      s.stream().forEach(e -> events.add(acc.accumulate(e)));
    }
    Message m = acc.message();
    assertThat(m.content().getFirst().asText().text()).isEqualTo("1 2 3 4 5");
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    int pieces = Tokens.count("1 2 3 4 5");
    assertThat(m.usage().outputTokens()).isEqualTo(pieces);
    assertThat(m.usage().inputTokens()).isEqualTo(Tokens.count("count to 5") + 6);

    List<String> expected = new ArrayList<>(List.of("message_start", "content_block_start"));
    for (int i = 0; i < pieces; i++) expected.add("content_block_delta");
    expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
    assertThat(events).extracting(SimAnthropicStreamingTest::type).containsExactlyElementsOf(expected);

    Message start = events.getFirst().asMessageStart().message();
    assertThat(start.content()).isEmpty();
    assertThat(start.stopReason()).isEmpty();
    assertThat(start.usage().outputTokens()).isEqualTo(1);
    assertThat(start.id()).isEqualTo(m.id()).startsWith("msg_");
    assertThat(events.subList(2, 2 + pieces)).allSatisfy(e -> {
      assertThat(e.asContentBlockDelta().index()).isZero();
      assertThat(e.asContentBlockDelta().delta().asText().text()).isNotEmpty();
    });

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals("s-5")).get(10, TimeUnit.SECONDS);
    assertThat(e.stream()).isTrue();
    assertThat(e.endpoint()).isEqualTo("messages");
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.promptTokens()).isEqualTo(m.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(m.usage().outputTokens());
  }

  @Test
  void wireGrammarHasEventLinesOnePingAndBlankLines() {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages",
        "{\"model\":\"sim-large\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"echo: a \\\"quoted\\\" 日本\"}]}",
        "authorization", "Bearer k", "anthropic-version", "2026-10-21");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream; charset=utf-8");
    assertThat(r.body()).endsWith("\n\n");
    String[] events = r.body().split("\n\n");
    List<String> types = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (String ev : events) {
      String[] lines = ev.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      String type = lines[0].substring("event: ".length());
      JsonNode data = Json.MAPPER.readTree(lines[1].substring("data: ".length()));
      assertThat(data.get("type").asString()).isEqualTo(type);
      types.add(type);
      if (type.equals("content_block_delta")) text.append(data.at("/delta/text").asString());
      if (type.equals("message_start")) {
        assertThat(data.at("/message/usage/output_tokens").asInt()).isEqualTo(1);
        assertThat(data.at("/message/content").size()).isZero();
      }
      if (type.equals("message_delta")) {
        assertThat(data.at("/delta/stop_reason").asString()).isEqualTo("end_turn");
        assertThat(data.at("/delta/stop_sequence").isNull()).isTrue();
        assertThat(data.at("/usage/output_tokens").asInt()).isEqualTo(Tokens.count("a \"quoted\" 日本"));
      }
    }
    assertThat(text.toString()).isEqualTo("a \"quoted\" 日本");
    assertThat(types.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
    assertThat(types.stream().filter("ping"::equals)).hasSize(1);
    assertThat(types.subList(types.size() - 3, types.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
  }

  @Test
  void pacedLikeTheOpenAiSide() {
    AnthropicClient paced = fx.anthropic("paced");
    long t0 = System.nanoTime();
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = paced.messages().createStreaming(MessageCreateParams.builder()
        .model("sim-small").maxTokens(100).addUserMessage("count to 10").build())) {
      s.stream().forEach(acc::accumulate);
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    int tokens = Tokens.count("1 2 3 4 5 6 7 8 9 10");
    // 40 ms to the first token, then one token every 5 ms
    assertThat(millis).isGreaterThanOrEqualTo(40 + (tokens - 1) * 5L - 2);
    assertThat(acc.message().content().getFirst().asText().text()).isEqualTo("1 2 3 4 5 6 7 8 9 10");
  }
}
