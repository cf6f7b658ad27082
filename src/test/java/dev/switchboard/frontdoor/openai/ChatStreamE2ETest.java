package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streamed chat completions from the official OpenAI SDK, through the gateway, answered by the simulator. */
final class ChatStreamE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** A stream read to its end, with the gateway's request id. */
  record Streamed(String requestId, List<ChatCompletionChunk> chunks) {
    ChatCompletion accumulated() {
      ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
      chunks.forEach(acc::accumulate);
      return acc.chatCompletion();
    }

    String text(long choice) {
      return chunks.stream().flatMap(c -> c.choices().stream()).filter(c -> c.index() == choice)
          .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
    }
  }

  static Streamed stream(ChatCompletionCreateParams params) {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(params);
    assertThat(raw.headers().values("content-type")).singleElement().asString().startsWith("text/event-stream");
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("sim");
    assertThat(raw.headers().values("x-switchboard-upstream-model")).containsExactly("sim-large");
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      return new Streamed(raw.requestId().orElseThrow(), s.stream().toList());
    }
  }

  static ChatCompletionCreateParams.Builder ask(String text) {
    return ChatCompletionCreateParams.builder().model("chat").addUserMessage(text);
  }

  @Test
  void deltasArriveInOrderAndAccumulateToTheExactText() {
    Streamed s = stream(ask("count to 12").build());
    assertThat(s.chunks()).hasSizeGreaterThan(12); // one delta per token, plus the role and the finish
    assertThat(s.chunks()).extracting(ChatCompletionChunk::id).containsOnly(s.chunks().get(0).id());
    assertThat(s.chunks()).extracting(ChatCompletionChunk::created).containsOnly(s.chunks().get(0).created());
    assertThat(s.chunks().get(0).choices().get(0).delta().role()).isPresent();
    assertThat(s.text(0)).isEqualTo("1 2 3 4 5 6 7 8 9 10 11 12");
    ChatCompletionChunk last = s.chunks().getLast();
    assertThat(last.choices().get(0).finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP);

    ChatCompletion whole = s.accumulated();
    assertThat(whole.choices().get(0).message().content()).contains("1 2 3 4 5 6 7 8 9 10 11 12");
    assertThat(fx.ledgerEntry(s.requestId()).outcome()).isEqualTo("completed");
  }

  @Test
  void includeUsageEndsTheStreamWithTheUsageTheUpstreamServed() {
    Streamed s = stream(ask("count to 7")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    ChatCompletionChunk last = s.chunks().getLast();
    assertThat(last.choices()).isEmpty();
    CompletionUsage usage = last.usage().orElseThrow();
    assertThat(s.chunks().subList(0, s.chunks().size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());

    LedgerEntry served = fx.ledgerEntry(s.requestId());
    assertThat(usage.promptTokens()).isEqualTo(served.promptTokens());
    assertThat(usage.completionTokens()).isEqualTo(served.completionTokens()).isPositive();
    assertThat(usage.totalTokens()).isEqualTo(served.promptTokens() + served.completionTokens());
    assertThat(s.text(0)).isEqualTo("1 2 3 4 5 6 7");
  }

  @Test
  void withoutIncludeUsageNoChunkCarriesUsageYetTheGatewayMetersIt() {
    Streamed s = stream(ask("count to 7").build());
    assertThat(s.chunks()).allSatisfy(c -> {
      assertThat(c.usage()).isEmpty();
      assertThat(c.choices()).isNotEmpty();
    });
    assertThat(s.text(0)).isEqualTo("1 2 3 4 5 6 7");

    // The gateway asked the upstream for usage on the client's behalf, metered it, and dropped that chunk.
    LedgerEntry served = fx.ledgerEntry(s.requestId());
    ExchangeRecord record = fx.exchange(s.requestId());
    assertThat(record.stream()).isTrue();
    assertThat(record.outcome()).isEqualTo("completed");
    assertThat(record.usage()).isNotNull();
    assertThat(record.usage().inputTokens()).isEqualTo(served.promptTokens());
    assertThat(record.usage().outputTokens()).isEqualTo(served.completionTokens());
    assertThat(record.usage().estimated()).isFalse();
  }

  @Test
  void longStreamsArriveWholeHoweverTheBytesAreSplit() {
    // Without pacing the simulator writes all ~10,000 events at once, so they reach the gateway split at arbitrary
    // points, events and even UTF-8 sequences cut across reads.
    Streamed s = stream(ask("count to 5000")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    String expected = java.util.stream.IntStream.rangeClosed(1, 5000).mapToObj(Integer::toString)
        .collect(Collectors.joining(" "));
    assertThat(s.text(0)).isEqualTo(expected);
    LedgerEntry served = fx.ledgerEntry(s.requestId());
    assertThat(s.chunks().getLast().usage().orElseThrow().completionTokens()).isEqualTo(served.completionTokens());

    Streamed unicode = stream(ask("echo: " + "h\u00e9llo w\u00f6rld \u2603 \ud83d\ude00 ".repeat(300)).build());
    assertThat(unicode.text(0)).isEqualTo("h\u00e9llo w\u00f6rld \u2603 \ud83d\ude00 ".repeat(300));
  }

  @Test
  void concurrentStreamsDoNotMix() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<Streamed>> futures = new java.util.ArrayList<>();
      for (int n = 1; n <= 48; n++) {
        int count = 20 + n;
        boolean usage = n % 2 == 0;
        futures.add(pool.submit(() -> stream(ask("count to " + count)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(usage).build()).build())));
      }
      for (int n = 1; n <= 48; n++) {
        Streamed s = futures.get(n - 1).get(30, java.util.concurrent.TimeUnit.SECONDS);
        String expected = java.util.stream.IntStream.rangeClosed(1, 20 + n).mapToObj(Integer::toString)
            .collect(Collectors.joining(" "));
        assertThat(s.text(0)).as("stream %d", n).isEqualTo(expected);
        assertThat(s.chunks().getLast().usage().isPresent()).as("usage on stream %d", n).isEqualTo(n % 2 == 0);
        LedgerEntry served = fx.ledgerEntry(s.requestId());
        assertThat(fx.exchange(s.requestId()).usage().outputTokens()).isEqualTo(served.completionTokens());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void streamsNChoices() {
    Streamed s = stream(ask("write a poem").n(2).build());
    ChatCompletion whole = s.accumulated();
    assertThat(whole.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
    assertThat(whole.choices()).allSatisfy(c ->
        assertThat(c.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP));
    assertThat(s.text(0)).isNotBlank().isNotEqualTo(s.text(1));
    assertThat(s.text(1)).isNotBlank();
    assertThat(whole.choices().get(0).message().content()).contains(s.text(0));
  }

  @Test
  void toolCallRoundTrip() {
    ChatCompletionCreateParams first = ask("What is the weather in Paris?").addTool(ChatE2ETest.WEATHER).build();
    Streamed call = stream(first);
    // The first delta of the call names it; the arguments follow in fragments.
    ChatCompletionChunk.Choice.Delta.ToolCall opening = call.chunks().get(0).choices().get(0).delta().toolCalls()
        .orElseThrow().get(0);
    assertThat(opening.id()).isPresent();
    assertThat(opening.function().orElseThrow().name()).contains("get_weather");
    long fragments = call.chunks().stream().flatMap(c -> c.choices().stream())
        .filter(c -> c.delta().toolCalls().isPresent()).count();
    assertThat(fragments).isGreaterThan(2);

    ChatCompletion accumulated = call.accumulated();
    ChatCompletion.Choice choice = accumulated.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall tc = choice.message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(tc.id()).isEqualTo(opening.id().orElseThrow());
    assertThat(tc.function().name()).isEqualTo("get_weather");
    ChatE2ETest.assertWeatherArguments(tc.function().arguments());

    Streamed answer = stream(first.toBuilder()
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(tc.id()).content("18 C and sunny").build())
        .build());
    assertThat(answer.text(0)).isEqualTo("The tool returned: 18 C and sunny");
  }
}
