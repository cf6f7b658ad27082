package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;

/**
 * ConverseStream through the AWS SDK's async client: cleartext HTTP/2 with prior knowledge as it comes, and HTTP/1.1
 * when pinned; the event grammar, the text, and the usage of the last event against the ledger.
 */
final class SimBedrockStreamingTest {
  static SimFixture fx;
  static BedrockRuntimeAsyncClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("b", "r1", 1),
        new SimDeploymentSpec("paced", "r2", SimFixture.MODELS, 0, Duration.ofMillis(40), 200, 12, 1));
    client = fx.bedrockAsync("b");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** What a stream delivered: every event in order, and the response that opened it. */
  record Streamed(List<ConverseStreamOutput> events, ConverseStreamResponse response) {
    String text() {
      StringBuilder sb = new StringBuilder();
      for (ConverseStreamOutput e : events) {
        if (e.sdkEventType() == ConverseStreamOutput.EventType.CONTENT_BLOCK_DELTA) {
          var d = ((ContentBlockDeltaEvent) e).delta();
          sb.append(d.text() != null ? d.text() : d.toolUse().input());
        }
      }
      return sb.toString();
    }

    List<String> types() {
      return events.stream().map(e -> e.sdkEventType().toString()).toList();
    }

    ConverseStreamMetadataEvent metadata() {
      return (ConverseStreamMetadataEvent) events.getLast();
    }
  }

  static Streamed stream(BedrockRuntimeAsyncClient c, ConverseStreamRequest request) throws Exception {
    List<ConverseStreamOutput> events = new CopyOnWriteArrayList<>();
    List<ConverseStreamResponse> response = new CopyOnWriteArrayList<>();
    c.converseStream(request, ConverseStreamResponseHandler.builder()
        .onResponse(response::add)
        .subscriber(events::add)
        .build()).get(30, TimeUnit.SECONDS);
    return new Streamed(List.copyOf(events), response.getFirst());
  }

  private static ConverseStreamRequest ask(String model, String text) {
    return ConverseStreamRequest.builder().modelId(model).messages(SimBedrockConverseTest.user(text)).build();
  }

  @Test
  void overHttp2TheEventsArriveInBedrocksOrderWithTheUsageLast() throws Exception {
    Streamed s = stream(client, ask("sim-large", "count to 5"));
    assertThat(s.text()).isEqualTo("1 2 3 4 5");
    int pieces = Tokens.count("1 2 3 4 5");
    List<String> expected = new ArrayList<>(List.of("messageStart"));
    for (int i = 0; i < pieces; i++) expected.add("contentBlockDelta");
    // No contentBlockStart for text, a contentBlockStop for every block, and metadata after messageStop.
    expected.addAll(List.of("contentBlockStop", "messageStop", "metadata"));
    assertThat(s.types()).containsExactlyElementsOf(expected);

    ConverseStreamMetadataEvent meta = s.metadata();
    assertThat(meta.usage().outputTokens()).isEqualTo(pieces);
    assertThat(meta.usage().inputTokens()).isEqualTo(Tokens.count("count to 5") + 6);
    assertThat(meta.usage().totalTokens()).isEqualTo(pieces + meta.usage().inputTokens());
    assertThat(meta.metrics().latencyMs()).isNotNegative();

    LedgerEntry e = fx.sim.ledger().await(x -> x.requestId().equals(s.response().responseMetadata().requestId()))
        .get(10, TimeUnit.SECONDS);
    assertThat(e.endpoint()).isEqualTo("converse");
    assertThat(e.stream()).isTrue();
    assertThat(e.outcome()).isEqualTo("completed");
    assertThat(e.promptTokens()).isEqualTo(meta.usage().inputTokens());
    assertThat(e.completionTokens()).isEqualTo(meta.usage().outputTokens());
  }

  @Test
  void http11WorksOnTheSamePortWhenTheClientIsPinnedToIt() throws Exception {
    try (BedrockRuntimeAsyncClient h1 = BedrockRuntimeAsyncClient.builder()
        .endpointOverride(java.net.URI.create(fx.sim.deployment("b").bedrockBaseUrl())).region(Region.US_EAST_1)
        .credentialsProvider(SimFixture.AWS_CREDENTIALS).overrideConfiguration(SimFixture.NO_RETRIES)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)).build()) {
      Streamed s = stream(h1, ask("sim-small", "echo: over http/1.1"));
      assertThat(s.text()).isEqualTo("over http/1.1");
      assertThat(s.types().getLast()).isEqualTo("metadata");
    }
  }

  @Test
  void concurrentStreamsOnOneClientStayApart() throws Exception {
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    List<StringBuilder> texts = new ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      StringBuilder text = new StringBuilder();
      texts.add(text);
      calls.add(client.converseStream(ask("sim-large", "count to " + i), ConverseStreamResponseHandler.builder()
          .subscriber(ConverseStreamResponseHandler.Visitor.builder().onContentBlockDelta(d -> {
            synchronized (text) {
              text.append(d.delta().text());
            }
          }).build()).build()));
    }
    for (var c : calls) c.get(30, TimeUnit.SECONDS);
    for (int i = 1; i <= 8; i++) {
      StringBuilder want = new StringBuilder("1");
      for (int k = 2; k <= i; k++) want.append(' ').append(k);
      synchronized (texts.get(i - 1)) {
        assertThat(texts.get(i - 1).toString()).isEqualTo(want.toString());
      }
    }
  }

  @Test
  void pacedStreamsTakeTheirTime() throws Exception {
    BedrockRuntimeAsyncClient paced = fx.bedrockAsync("paced");
    long start = System.nanoTime();
    Streamed s = stream(paced, ask("sim-large", "count to 10"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    int pieces = Tokens.count("1 2 3 4 5 6 7 8 9 10");
    // 40 ms to the first token, then 200 tokens/s; the latency reported is the simulator's own
    assertThat(millis).isGreaterThanOrEqualTo(40 + (pieces - 1) * 5L);
    assertThat(s.metadata().metrics().latencyMs()).isGreaterThanOrEqualTo(40 + (pieces - 1) * 5L);
  }
}
