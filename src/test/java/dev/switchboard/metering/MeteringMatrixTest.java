package dev.switchboard.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.ReasoningEffort;
import dev.switchboard.sim.LedgerEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointBlock;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointType;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;

/**
 * Metering is exact: for every front door (OpenAI chat, Anthropic messages, Bedrock Converse, Bedrock InvokeModel)
 * × every backend protocol (OpenAI-compatible, Anthropic, Bedrock, Gemini), streamed and not, each request's usage
 * record holds the tokens the simulator (the upstream) counted in its ground-truth ledger for that request, and the
 * cost of exactly those tokens at the model's price, cache reads and writes at their own prices. Records and ledger
 * entries are joined by request id, which the gateway sends upstream.
 */
final class MeteringMatrixTest {
  private static final List<String> BACKENDS = List.of("m-openai", "m-anthropic", "m-bedrock", "m-gemini");
  private static final Map<String, Door> DOORS = Map.of(
      "chat", MeteringMatrixTest::openAi,
      "messages", MeteringMatrixTest::anthropic,
      "converse", MeteringMatrixTest::converse,
      "invoke", MeteringMatrixTest::invoke);

  @TempDir Path dir;
  MeteredFleet fleet;

  /** Sends one request through a front door: {@code model}, streamed or not, with {@code prompt}. */
  @FunctionalInterface
  private interface Door {
    void send(MeteredFleet fleet, String model, boolean stream, String prompt) throws Exception;
  }

  @BeforeEach
  void start() throws Exception {
    fleet = MeteredFleet.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    fleet.close();
  }

  @Test
  void everyFrontDoorTimesEveryBackendIsMeteredExactlyAsTheUpstreamCounted() {
    Set<String> cells = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    for (var door : DOORS.entrySet()) {
      for (String model : BACKENDS) {
        for (boolean stream : List.of(false, true)) {
          String cell = door.getKey() + " × " + model + (stream ? " streamed" : " plain");
          cells.add(door.getKey() + "|" + model + "|" + stream);
          try {
            door.getValue().send(fleet, model, stream, "Tell me about " + cell + ", briefly.");
          } catch (Exception | AssertionError e) {
            failures.add(cell + ": " + e);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    fleet.stopGateway();

    List<UsageRows.Row> rows = fleet.rows();
    assertThat(rows).hasSize(cells.size());
    Set<String> metered = new LinkedHashSet<>();
    for (UsageRows.Row row : rows) metered.add(row.endpoint() + "|" + row.model() + "|" + row.stream());
    assertThat(metered).containsExactlyInAnyOrderElementsOf(cells);
    assertEqualToTheLedger(rows);
  }

  @Test
  void promptCacheWritesThenReadsArePricedAtTheirOwnPrices() throws Exception {
    for (String model : List.of("m-anthropic", "m-bedrock")) {
      String system = "You are the archivist of " + model + ", run " + System.nanoTime()
          + ". Answer briefly and cite the catalogue number of every record you mention.";
      MessageCreateParams.Builder ask = MessageCreateParams.builder().model(model).maxTokens(100L)
          .addUserMessage("hello").systemOfTextBlockParams(List.of(TextBlockParam.builder().text(system)
              .cacheControl(CacheControlEphemeral.builder().build()).build()));
      fleet.anthropic.messages().create(ask.build()); // writes the cache
      try (StreamResponse<RawMessageStreamEvent> s = fleet.anthropic.messages().createStreaming(ask.build())) {
        s.stream().forEach(e -> { }); // reads it
      }
      List<SystemContentBlock> cached = List.of(SystemContentBlock.fromText(system + " (aws)"),
          SystemContentBlock.fromCachePoint(CachePointBlock.builder().type(CachePointType.DEFAULT).build()));
      fleet.bedrock().converse(ConverseRequest.builder().modelId(model).system(cached).messages(user("hello")).build());
      converseStream(fleet, ConverseStreamRequest.builder().modelId(model).system(cached).messages(user("hello"))
          .build());
    }
    fleet.stopGateway();

    List<UsageRows.Row> rows = fleet.rows();
    assertThat(rows).hasSize(8);
    assertThat(rows).filteredOn(r -> r.cacheWrite() > 0).hasSize(4);
    assertThat(rows).filteredOn(r -> r.cacheRead() > 0).hasSize(4);
    assertEqualToTheLedger(rows);
  }

  @Test
  void reasoningTokensAreItemisedAndPricedAsOutput() {
    // Gemini bills its thoughts (16 a request in the simulator) as output, whether or not they are shown.
    ChatCompletionCreateParams thinking = ChatCompletionCreateParams.builder().model("m-gemini")
        .reasoningEffort(ReasoningEffort.LOW).addUserMessage("think first").build();
    fleet.openai.chat().completions().create(thinking);
    try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = fleet.openai.chat().completions()
        .createStreaming(thinking)) {
      s.stream().forEach(c -> { });
    }
    fleet.stopGateway();

    List<UsageRows.Row> rows = fleet.rows();
    assertThat(rows).hasSize(2).allSatisfy(r -> assertThat(r.reasoning()).isEqualTo(16));
    assertEqualToTheLedger(rows);
  }

  /** Every row equals its request's only ledger entry, token for token, and costs exactly those tokens. */
  private void assertEqualToTheLedger(List<UsageRows.Row> rows) {
    Map<String, List<LedgerEntry>> ledger = new HashMap<>();
    for (LedgerEntry e : fleet.sim.ledger().entries()) ledger.computeIfAbsent(e.requestId(), k -> new ArrayList<>())
        .add(e);
    for (UsageRows.Row row : rows) {
      String cell = row.endpoint() + " × " + row.model() + (row.stream() ? " streamed" : " plain");
      assertThat(ledger.get(row.requestId())).as("ledger entries of %s", cell).hasSize(1);
      LedgerEntry served = ledger.get(row.requestId()).getFirst();
      assertThat(served.outcome()).as(cell).isEqualTo("completed");
      assertThat(row.outcome()).as(cell).isEqualTo("completed");
      assertThat(row.estimated()).as(cell).isFalse();
      assertThat(row.input() - row.cacheRead() - row.cacheWrite()).as("uncached input of %s", cell)
          .isEqualTo(served.promptTokens());
      assertThat(row.output()).as("output of %s", cell).isEqualTo(served.completionTokens());
      assertThat(row.cacheRead()).as("cache reads of %s", cell).isEqualTo(served.cacheReadTokens());
      assertThat(row.cacheWrite()).as("cache writes of %s", cell).isEqualTo(served.cacheWriteTokens());
      assertThat(row.output()).as("output of %s", cell).isPositive();
      assertThat(row.cost()).as("cost of %s", cell)
          .isEqualByComparingTo(MeteredFleet.PRICES.get(row.model()).cost(served));
      assertThat(row.keyId()).as(cell).isNull(); // the master key
      assertThat(row.attempts()).as(cell).isEqualTo(1);
      assertThat(row.deployment()).as(cell).endsWith("/sim-large");
      assertThat(row.firstByteMs()).as(cell).isNotNull();
    }
  }

  // ---- the front doors, each through its official SDK ----------------------------------------------------------

  private static void openAi(MeteredFleet f, String model, boolean stream, String prompt) {
    ChatCompletionCreateParams.Builder p = ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt);
    if (!stream) {
      f.openai.chat().completions().create(p.build());
      return;
    }
    // Without include_usage: the gateway asks the upstream for usage on the client's behalf.
    p.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(false).build());
    try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = f.openai.chat().completions()
        .createStreaming(p.build())) {
      s.stream().forEach(c -> { });
    }
  }

  private static void anthropic(MeteredFleet f, String model, boolean stream, String prompt) {
    MessageCreateParams p = MessageCreateParams.builder().model(model).maxTokens(200L).addUserMessage(prompt).build();
    if (!stream) {
      f.anthropic.messages().create(p);
      return;
    }
    try (StreamResponse<RawMessageStreamEvent> s = f.anthropic.messages().createStreaming(p)) {
      s.stream().forEach(e -> { });
    }
  }

  private static void converse(MeteredFleet f, String model, boolean stream, String prompt) throws Exception {
    if (!stream) {
      f.bedrock().converse(ConverseRequest.builder().modelId(model).messages(user(prompt)).build());
      return;
    }
    converseStream(f, ConverseStreamRequest.builder().modelId(model).messages(user(prompt)).build());
  }

  private static void converseStream(MeteredFleet f, ConverseStreamRequest request) throws Exception {
    f.bedrockAsync().converseStream(request, ConverseStreamResponseHandler.builder()
        .subscriber(ConverseStreamResponseHandler.Visitor.builder().build()).build()).get(20, TimeUnit.SECONDS);
  }

  private static void invoke(MeteredFleet f, String model, boolean stream, String prompt) throws Exception {
    SdkBytes body = SdkBytes.fromUtf8String("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":200,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}");
    if (!stream) {
      f.bedrock().invokeModel(b -> b.modelId(model).contentType("application/json").accept("application/json")
          .body(body));
      return;
    }
    Consumer<Object> ignore = e -> { };
    f.bedrockAsync().invokeModelWithResponseStream(b -> b.modelId(model).contentType("application/json")
        .accept("application/json").body(body), InvokeModelWithResponseStreamResponseHandler.builder()
        .subscriber(ignore::accept).build()).get(20, TimeUnit.SECONDS);
  }

  private static Message user(String text) {
    return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
  }
}
