package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Streamed chat completions: event order, usage only on request, exact SSE framing, pacing. */
final class SimStreamingTest {
  static SimFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1),
        new SimDeploymentSpec("paced", "r2", SimFixture.MODELS, 0, Duration.ofMillis(40), 200, 12, 1));
    client = fx.client("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static List<ChatCompletionChunk> stream(OpenAIClient c, ChatCompletionCreateParams p) {
    try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(p)) {
      return s.stream().toList();
    }
  }

  private static String text(List<ChatCompletionChunk> chunks, long index) {
    return chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.index() == index)
        .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
  }

  @Test
  void deltasInOrderWithUsageChunkLast() {
    List<ChatCompletionChunk> chunks = stream(client, ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("count to 5")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());

    ChatCompletionChunk first = chunks.getFirst();
    assertThat(first.choices().getFirst().delta().role()).contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
    assertThat(first.choices().getFirst().delta().content()).contains("");
    // one chunk per token: "1", " ", "2", ...
    List<String> pieces = chunks.subList(1, chunks.size() - 2).stream()
        .map(c -> c.choices().getFirst().delta().content().orElseThrow()).toList();
    assertThat(String.join("", pieces)).isEqualTo("1 2 3 4 5");
    assertThat(pieces).hasSize(Tokens.count("1 2 3 4 5"));

    ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
    assertThat(finish.choices().getFirst().finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP);
    assertThat(finish.choices().getFirst().delta().content()).isEmpty();
    assertThat(finish.usage()).isEmpty();

    ChatCompletionChunk usage = chunks.getLast();
    assertThat(usage.choices()).isEmpty();
    assertThat(usage.usage().orElseThrow().completionTokens()).isEqualTo(pieces.size());
    assertThat(usage.usage().orElseThrow().promptTokens()).isEqualTo(Tokens.count("count to 5") + 6);

    assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(first.id());
    assertThat(chunks).extracting(ChatCompletionChunk::created).containsOnly(first.created());
    assertThat(first.id()).startsWith("chatcmpl-");
  }

  @Test
  void noUsageUnlessAsked() {
    List<ChatCompletionChunk> chunks = stream(client, ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("hello there").build());
    assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    assertThat(chunks).allSatisfy(c -> assertThat(c.choices()).hasSize(1));
    assertThat(text(chunks, 0).split(" ")).hasSize(12);
  }

  @Test
  void severalChoicesEachFinish() {
    List<ChatCompletionChunk> chunks = stream(client, ChatCompletionCreateParams.builder().model("sim-large")
        .addUserMessage("count to 3").n(2).build());
    assertThat(text(chunks, 0)).isEqualTo("1 2 3");
    assertThat(text(chunks, 1)).isEqualTo("1 2 3");
    assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.finishReason().isPresent()))
        .extracting(ChatCompletionChunk.Choice::index).containsExactlyInAnyOrder(0L, 1L);
  }

  @Test
  void exactWireFormat() throws Exception {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", """
        {"model":"sim-small","stream":true,"stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"count to 2"}]}""", "authorization", "Bearer k");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    String body = r.body();
    assertThat(body).endsWith("\n\ndata: [DONE]\n\n").doesNotContain("\r").doesNotContain("event:");
    String[] events = body.split("\n\n");
    // role, "1", " ", "2", finish, usage, [DONE]
    assertThat(events).hasSize(7);
    for (int i = 0; i < events.length - 1; i++) {
      assertThat(events[i]).startsWith("data: {").doesNotContain("\n");
      JsonNode chunk = Json.MAPPER.readTree(events[i].substring(6));
      assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
      if (i < events.length - 2) {
        assertThat(chunk.has("usage")).as("usage:null on every other chunk").isTrue();
        assertThat(chunk.get("usage").isNull()).isTrue();
      }
    }
    JsonNode role = Json.MAPPER.readTree(events[0].substring(6));
    assertThat(role.at("/choices/0/delta/role").asString()).isEqualTo("assistant");
    assertThat(role.at("/choices/0/delta/content").isString()).isTrue();
    assertThat(role.at("/choices/0/finish_reason").isNull()).isTrue();
    JsonNode usage = Json.MAPPER.readTree(events[5].substring(6));
    assertThat(usage.get("choices").isEmpty()).isTrue();
    assertThat(usage.at("/usage/total_tokens").asInt())
        .isEqualTo(usage.at("/usage/prompt_tokens").asInt() + usage.at("/usage/completion_tokens").asInt());
  }

  @Test
  void streamOptionsNeedStream() throws Exception {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").baseUrl() + "/chat/completions", """
        {"model":"sim-small","stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"hi"}]}""", "authorization", "Bearer k");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(r.body()).at("/error/param").asString()).isEqualTo("stream_options");
  }

  @Test
  void pacedDeploymentTakesItsTime() {
    // 40 ms to the first token, then 11 more tokens at 200/s: at least 95 ms. Only the lower bound is checked.
    long t0 = System.nanoTime();
    List<ChatCompletionChunk> chunks = stream(fx.client("paced"), ChatCompletionCreateParams.builder()
        .model("sim-large").addUserMessage("anything").build());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(text(chunks, 0).split(" ")).hasSize(12);
    assertThat(millis).isGreaterThanOrEqualTo(95);
  }
}
