package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.PaymentRequiredException;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.server.Gateway;
import dev.switchboard.sim.SimDeploymentSpec;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import dev.switchboard.testing.StoreUnderTest;
import dev.switchboard.util.Json;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceQuotaExceededException;

/**
 * Budgets are hard, end to end: a real gateway in front of the simulator, keys with budgets, many requests at once.
 * The model's input is free and its output costs $100 per million tokens; every request asks for 100 tokens and the
 * simulator's answer is longer, so each costs exactly what it reserves, $0.01. Then a $1 budget must admit exactly
 * 100 requests, refuse the rest, and meter exactly $1 — no request refused while a worst case still fitted, none
 * admitted beyond it.
 */
final class BudgetE2ETest {
  private static final String MASTER = "budget-master";
  private static final BigDecimal WORST = new BigDecimal("0.01");
  private static final Pattern LEFT = Pattern.compile("with \\$([0-9.]+) left \\(\\$([0-9.]+) spent, \\$([0-9.]+) "
      + "held by (\\d+) requests? in flight\\); this request may cost up to \\$([0-9.]+)");

  @TempDir Path dir;
  private Vertx vertx;
  private Simulator sim;
  private Path config;
  private final ConcurrentLinkedQueue<ExchangeRecord> records = new ConcurrentLinkedQueue<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // The answer's head waits 300 ms, so that the requests overlap and refusals meet reservations in flight.
    sim = Simulator.start(vertx, new SimulatorConfig("127.0.0.1", 0, List.of(new SimDeploymentSpec("up", "r1",
        List.of("sim-large"), 0, Duration.ofMillis(300), 0, 400, 3)))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    config = dir.resolve("switchboard.yaml");
    Files.writeString(config, """
        providers:
          - {name: up, base_url: "%s", api_key: k}
        models:
          - {name: budgeted, provider: up, model: sim-large, price: {input: 0, output: 100}}
          - {name: priced, provider: up, model: sim-large, price: {input: 50, output: 100}}
        """.formatted(sim.deployment("up").baseUrl()));
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    sim.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Gateway gateway() {
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", MASTER);
    return Gateway.start(new ConfigLoader(env::get).load(new ConfigLoader.Flags(config, 0, null, dir.resolve("home"))),
        env::get, records::add);
  }

  /** On the embedded store and on PostgreSQL: the ledger the budget is rebuilt from at restart is the store's. */
  @ParameterizedTest
  @EnumSource(StoreUnderTest.Kind.class)
  void fiveHundredConcurrentRequestsSpendTheDollarExactlyAndTheBudgetSurvivesARestart(StoreUnderTest.Kind kind)
      throws Exception {
    StoreUnderTest storeUnderTest = StoreUnderTest.of(kind);
    Files.writeString(config, storeUnderTest.yaml(), java.nio.file.StandardOpenOption.APPEND);
    Gateway gateway = gateway();
    Keys.Issued key;
    List<HttpResponse<String>> answers;
    try {
      key = gateway.keys().createKey(spec(null, "1/total"));
      answers = fire(gateway, List.of(key.secret()), 500);
    } finally {
      gateway.close(); // writes every pending usage record
    }
    Outcome o = outcome(answers);
    assertThat(o.admitted).isEqualTo(100);
    assertThat(o.refused).isEqualTo(400);
    assertThat(o.heldInFlight).as("refusals that met reservations in flight").isPositive();
    assertThat(sim.ledger().entries()).hasSize(100);
    try (Store store = storeUnderTest.open(dir.resolve("home"))) {
      BigDecimal spent = store.spentSince(key.key().id(), null, 0);
      assertThat(spent).isEqualByComparingTo("1");
      assertThat(store.usage("budgeted").requests()).isEqualTo(100);
      System.out.printf("budget $1, 500 concurrent requests of worst case $0.01: %d admitted, %d refused "
          + "(%d of them while other requests held reservations), metered spend $%s%n", o.admitted, o.refused,
          o.heldInFlight, spent.toPlainString());
    }

    // A new process on the same state directory rebuilds the spend from the ledger: the key stays refused.
    Gateway again = gateway();
    try {
      HttpResponse<String> refused = fire(again, List.of(key.secret()), 1).getFirst();
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.body()).contains("$0 left ($1 spent, $0 held by 0 requests in flight)");
    } finally {
      again.close();
    }
  }

  /**
   * With input priced too, the input estimate (a tokenizer over the whole JSON body) is higher than what the
   * upstream counts, so each request reserves more than it costs: the budget is never exceeded, and what is left
   * unspent at the end is the price of that margin.
   */
  @Test
  void withAnEstimatedInputTheSpendStaysUnderTheBudget() throws Exception {
    Gateway gateway = gateway();
    Keys.Issued key;
    List<HttpResponse<String>> answers;
    try {
      key = gateway.keys().createKey(spec(null, "1/total"));
      answers = fire(gateway, "priced", List.of(key.secret()), 500);
    } finally {
      gateway.close();
    }
    int admitted = 0;
    BigDecimal worst = BigDecimal.ZERO;
    for (HttpResponse<String> r : answers) {
      if (r.statusCode() == 200) {
        admitted++;
        continue;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      Matcher m = LEFT.matcher(Json.MAPPER.readTree(r.body()).at("/error/message").asString());
      assertThat(m.find()).isTrue();
      assertThat(new BigDecimal(m.group(1))).isLessThan(new BigDecimal(m.group(5)));
      worst = worst.max(new BigDecimal(m.group(5)));
    }
    try (Store store = SqliteStore.open(dir.resolve("home"))) {
      BigDecimal spent = store.spentSince(key.key().id(), null, 0);
      assertThat(spent).isLessThanOrEqualTo(BigDecimal.ONE);
      assertThat(admitted).isGreaterThanOrEqualTo(BigDecimal.ONE.divide(worst, 0, java.math.RoundingMode.FLOOR)
          .intValue());
      System.out.printf("budget $1, 500 concurrent requests, input priced and estimated: worst case $%s, %d admitted, "
          + "%d refused, metered spend $%s%n", worst.toPlainString(), admitted, 500 - admitted, spent.toPlainString());
    }
  }

  @Test
  void aTeamBudgetHoldsOverItsKeysAndADayBudgetOverItsKey() throws Exception {
    Gateway gateway = gateway();
    try {
      gateway.keys().createTeam("shared", null, List.of(Budget.parse("0.5/day")), null);
      Keys.Issued a = gateway.keys().createKey(spec("shared", null));
      Keys.Issued b = gateway.keys().createKey(spec("shared", "0.2/day"));
      List<HttpResponse<String>> answers = fire(gateway, List.of(a.secret(), b.secret()), 120);
      Outcome o = outcome(answers);
      // Key A alone sends 60 requests, more than the team's 50: the team's budget is what stops them.
      assertThat(o.admitted).isEqualTo(50);
      int admittedB = 0;
      for (int i = 1; i < answers.size(); i += 2) if (answers.get(i).statusCode() == 200) admittedB++;
      assertThat(admittedB).isLessThanOrEqualTo(20);
      assertThat(answers).filteredOn(r -> r.statusCode() == 429).extracting(HttpResponse::body)
          .anySatisfy(body -> assertThat(body).contains("team 'shared'", "$0.5/day", "(daily, UTC)"));
    } finally {
      gateway.close();
    }
    try (Store store = SqliteStore.open(dir.resolve("home"))) {
      VirtualKey b = store.keys().stream().filter(k -> !k.budgets().isEmpty()).findFirst().orElseThrow();
      assertThat(store.spentSince(null, b.teamId(), 0)).isEqualByComparingTo("0.5");
      assertThat(store.spentSince(b.id(), null, 0)).isLessThanOrEqualTo(new BigDecimal("0.2"));
    }
  }

  @Test
  void eachSdkGetsItsOwnOutOfCreditErrorOnceAndDoesNotRetry() throws Exception {
    Gateway gateway = gateway();
    try {
      Keys.Issued key = gateway.keys().createKey(new Keys.KeySpec(null, "broke", null, null,
          List.of(Budget.parse("0/month")), null, null, true));
      String id = key.key().id();

      OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(key.secret())
          .maxRetries(2).build();
      try {
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("budgeted").maxCompletionTokens(10).addUserMessage("hi").build()))
            .isInstanceOfSatisfying(RateLimitException.class, e -> {
              assertThat(e.code()).contains("insufficient_quota");
              assertThat(e.type()).contains("insufficient_quota");
              assertThat(e.getMessage()).contains("Budget exceeded", "$0/month");
              assertThat(e.headers().values("x-should-retry")).containsExactly("false");
            });
      } finally {
        openai.close();
      }
      assertThat(refusalsOf(id)).isEqualTo(1);

      AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port())
          .apiKey(key.secret()).maxRetries(2).build();
      try {
        assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder().model("budgeted")
            .maxTokens(10L).addUserMessage("hi").build()))
            .isInstanceOfSatisfying(PaymentRequiredException.class,
                e -> assertThat(e.getMessage()).contains("Budget exceeded"));
      } finally {
        anthropic.close();
      }
      assertThat(refusalsOf(id)).isEqualTo(2);

      // The AWS SDK's default retry strategy: a quota error is not among what it retries.
      try (BedrockRuntimeClient bedrock = bedrock(gateway, key)) {
        assertThatThrownBy(() -> bedrock.converse(r -> r.modelId("budgeted").messages(Message.builder()
            .role(ConversationRole.USER).content(ContentBlock.fromText("hi")).build())))
            .isInstanceOfSatisfying(ServiceQuotaExceededException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorMessage()).contains("Budget exceeded");
            });
      }
      assertThat(refusalsOf(id)).isEqualTo(3);
    } finally {
      gateway.close();
    }
  }

  @Test
  void everyFrontDoorReservesByItsClientsMaximumAndSettlesStreamsAndTranslationsAtTheirMeteredCost()
      throws Exception {
    Gateway gateway = gateway();
    try {
      // Room for three requests of $0.01 and half of a fourth. Without the client's maximum a request would
      // reserve 4,096 output tokens ($0.41) and be refused at once.
      Keys.Issued key = gateway.keys().createKey(new Keys.KeySpec(null, "doors", null, null,
          List.of(Budget.parse("0.035/total")), null, null, true));
      OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(key.secret())
          .maxRetries(0).build();
      try (var stream = openai.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
          .model("budgeted").maxCompletionTokens(100).addUserMessage("streamed").build())) {
        assertThat(stream.stream().count()).isPositive();
      } finally {
        openai.close();
      }
      AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port())
          .apiKey(key.secret()).maxRetries(0).build();
      try {
        assertThat(anthropic.messages().create(MessageCreateParams.builder().model("budgeted").maxTokens(100L)
            .addUserMessage("translated").build()).usage().outputTokens()).isEqualTo(100);
      } finally {
        anthropic.close();
      }
      try (BedrockRuntimeClient bedrock = bedrock(gateway, key)) {
        assertThat(bedrock.converse(r -> r.modelId("budgeted").inferenceConfig(c -> c.maxTokens(100))
            .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("converse"))
                .build())).usage().outputTokens()).isEqualTo(100);
      }
      HttpResponse<String> refused = fire(gateway, List.of(key.secret()), 1).getFirst();
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.body()).contains("$0.005 left ($0.03 spent, $0 held by 0 requests in flight)");
    } finally {
      gateway.close();
    }
  }

  private static BedrockRuntimeClient bedrock(Gateway gateway, Keys.Issued key) {
    return BedrockRuntimeClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + gateway.port()))
        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            key.key().accessKeyId(), key.secretAccessKey())))
        .httpClient(ApacheHttpClient.create()).build();
  }

  private long refusalsOf(String keyId) {
    return records.stream().filter(r -> keyId.equals(r.keyId()) && "rejected".equals(r.outcome())).count();
  }

  private static Keys.KeySpec spec(String team, String budget) {
    return new Keys.KeySpec(team, "e2e", null, null, budget == null ? null : List.of(Budget.parse(budget)), null,
        null, false);
  }

  /** Sends {@code n} chat requests at once, alternating over {@code keys}; answers in the order sent. */
  private List<HttpResponse<String>> fire(Gateway gateway, List<String> keys, int n) throws Exception {
    return fire(gateway, "budgeted", keys, n);
  }

  private List<HttpResponse<String>> fire(Gateway gateway, String model, List<String> keys, int n) throws Exception {
    URI uri = URI.create(gateway.openAiBaseUrl() + "/chat/completions");
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String body = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":"
          + "\"request " + i + "\"}]}";
      sent.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
          .header("authorization", "Bearer " + keys.get(i % keys.size())).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
    List<HttpResponse<String>> out = new ArrayList<>(n);
    for (CompletableFuture<HttpResponse<String>> f : sent) out.add(f.join());
    return out;
  }

  private record Outcome(int admitted, int refused, int heldInFlight) {}

  /**
   * Counts the answers, checking each: an admitted one produced exactly the 100 tokens it reserved; a refused one is
   * OpenAI's insufficient_quota, not to be retried, and was refused only because what was left could not hold its
   * worst case.
   */
  private static Outcome outcome(List<HttpResponse<String>> answers) {
    int admitted = 0;
    int refused = 0;
    int held = 0;
    for (HttpResponse<String> r : answers) {
      if (r.statusCode() == 200) {
        admitted++;
        assertThat(new BigDecimal(r.headers().firstValue("x-switchboard-budget-remaining").orElseThrow()))
            .isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(Json.MAPPER.readTree(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(100);
        continue;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      refused++;
      assertThat(r.headers().firstValue("x-should-retry")).contains("false");
      var error = Json.MAPPER.readTree(r.body()).get("error");
      assertThat(error.get("code").asString()).isEqualTo("insufficient_quota");
      assertThat(error.get("type").asString()).isEqualTo("insufficient_quota");
      Matcher m = LEFT.matcher(error.get("message").asString());
      assertThat(m.find()).as(error.get("message").asString()).isTrue();
      BigDecimal left = new BigDecimal(m.group(1));
      assertThat(new BigDecimal(m.group(5))).isEqualByComparingTo(WORST);
      assertThat(left).as("left when refused").isLessThan(WORST);
      if (Integer.parseInt(m.group(4)) > 0) held++;
    }
    return new Outcome(admitted, refused, held);
  }
}
