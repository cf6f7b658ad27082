package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic {@code cache_control} markers: the first request with a prefix writes it, later ones read it, per
 * deployment and model, and usage and the ledger split the prompt as Anthropic does. Each test uses its own prefix
 * text, so the tests do not share cache entries.
 */
final class SimPromptCacheTest {
  private static final String EPHEMERAL = "\"cache_control\":{\"type\":\"ephemeral\"}";

  static SimFixture fx;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1), SimFixture.instant("b", "r2", 2));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** A system prompt long enough to be worth caching, different for each {@code tag}. */
  private static String longSystem(String tag) {
    return ("You are the " + tag + " assistant. Answer carefully, cite your sources and keep it short. ").repeat(20);
  }

  private static HttpResponse<String> post(String deployment, String requestId, String body) {
    return fx.post(fx.sim.deployment(deployment).anthropicBaseUrl() + "/v1/messages", body,
        "x-api-key", "k", "anthropic-version", "2023-06-01", "x-request-id", requestId);
  }

  private static JsonNode usage(String deployment, String requestId, String body) {
    HttpResponse<String> r = post(deployment, requestId, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).get("usage");
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  private static int countTokens(String body) {
    HttpResponse<String> r = fx.post(fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages/count_tokens", body,
        "x-api-key", "k", "anthropic-version", "2023-06-01");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).get("input_tokens").asInt();
  }

  private static String systemMarked(String model, String system, String question, String extra) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":100," + extra + "\"system\":[{\"type\":\"text\",\"text\":\""
        + system + "\"," + EPHEMERAL + "}],\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
  }

  private static void assertUsage(JsonNode usage, int input, int read, int written) {
    assertThat(usage.get("input_tokens").asInt()).as("input_tokens").isEqualTo(input);
    assertThat(usage.get("cache_read_input_tokens").asInt()).as("cache_read_input_tokens").isEqualTo(read);
    assertThat(usage.get("cache_creation_input_tokens").asInt()).as("cache_creation_input_tokens").isEqualTo(written);
  }

  private static void assertLedger(LedgerEntry e, int input, int read, int written) {
    assertThat(e.promptTokens()).as("promptTokens").isEqualTo(input);
    assertThat(e.cacheReadTokens()).as("cacheReadTokens").isEqualTo(read);
    assertThat(e.cacheWriteTokens()).as("cacheWriteTokens").isEqualTo(written);
  }

  @Test
  void aMarkedSystemPromptIsWrittenOnceThenRead() throws Exception {
    String system = longSystem("write-then-read");
    // the prefix is the framing (3) and the system message (3 + its text); the question is the rest
    int prefix = Tokens.count(system) + 6;
    int rest = Tokens.count("count to 3") + 3;

    assertUsage(usage("a", "c-1", systemMarked("sim-large", system, "count to 3", "")), rest, 0, prefix);
    assertLedger(ledger("c-1"), rest, 0, prefix);
    assertUsage(usage("a", "c-2", systemMarked("sim-large", system, "count to 3", "")), rest, prefix, 0);
    assertLedger(ledger("c-2"), rest, prefix, 0);

    // what follows the marker may change; the prefix is still read
    int otherRest = Tokens.count("count to 7, please") + 3;
    assertUsage(usage("a", "c-3", systemMarked("sim-large", system, "count to 7, please", "")), otherRest, prefix, 0);
    assertLedger(ledger("c-3"), otherRest, prefix, 0);
    assertThat(countTokens(systemMarked("sim-large", system, "count to 3", ""))).isEqualTo(rest + prefix);

    // each deployment has its own cache, and a cache belongs to one model
    assertUsage(usage("b", "c-4", systemMarked("sim-large", system, "count to 3", "")), rest, 0, prefix);
    assertUsage(usage("a", "c-5", systemMarked("sim-small", system, "count to 3", "")), rest, 0, prefix);
    // another system prompt is another prefix
    String other = longSystem("another");
    assertUsage(usage("a", "c-6", systemMarked("sim-large", other, "count to 3", "")), rest, 0,
        Tokens.count(other) + 6);
  }

  @Test
  void streamsReportTheCacheInMessageStart() throws Exception {
    String system = longSystem("streaming");
    int prefix = Tokens.count(system) + 6;
    int rest = Tokens.count("count to 3") + 3;
    for (String id : new String[] {"s-1", "s-2"}) {
      HttpResponse<String> r = post("a", id, systemMarked("sim-large", system, "count to 3", "\"stream\":true,"));
      JsonNode start = Json.MAPPER.readTree(r.body().lines().filter(l -> l.startsWith("data: ")).findFirst()
          .orElseThrow().substring("data: ".length()));
      assertThat(start.get("type").asString()).isEqualTo("message_start");
      boolean first = id.equals("s-1");
      assertUsage(start.at("/message/usage"), rest, first ? 0 : prefix, first ? prefix : 0);
      assertLedger(ledger(id), rest, first ? 0 : prefix, first ? prefix : 0);
    }
  }

  @Test
  void aMarkerInsideAMessageCutsItAfterTheMarkedBlock() throws Exception {
    String a = longSystem("mid-message");
    String body = "{\"model\":\"sim-large\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"" + a + "\"},"
        + "{\"type\":\"text\",\"text\":\"Here is the document.\"," + EPHEMERAL + "},"
        + "{\"type\":\"text\",\"text\":\"echo: done\"}]}]}";
    // the user message's text is its blocks joined with newlines; the prefix stops after the second block
    int prefix = 3 + 3 + Tokens.count(a + "\nHere is the document.");
    int total = 3 + 3 + Tokens.count(a + "\nHere is the document.\necho: done");
    assertThat(countTokens(body)).isEqualTo(total);

    assertUsage(usage("a", "m-1", body), total - prefix, 0, prefix);
    assertUsage(usage("a", "m-2", body), total - prefix, prefix, 0);
    assertLedger(ledger("m-2"), total - prefix, prefix, 0);
  }

  @Test
  void aMarkedToolCachesTheToolDefinitions() throws Exception {
    String body = "{\"model\":\"sim-large\",\"max_tokens\":100,\"tools\":["
        + "{\"name\":\"get_weather\",\"input_schema\":" + SimToolsTest.WEATHER_SCHEMA + "},"
        + "{\"name\":\"get_cached_time\",\"input_schema\":{\"type\":\"object\"}," + EPHEMERAL + "}],"
        + "\"tool_choice\":{\"type\":\"none\"},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count to 2\"}]}";
    // only the conversation follows the tools, so it is all that is not cached
    int rest = Tokens.count("count to 2") + 3;
    int prefix = countTokens(body) - rest;
    assertThat(prefix).isGreaterThan(Tokens.count(SimToolsTest.WEATHER_SCHEMA) / 2);

    assertUsage(usage("a", "t-1", body), rest, 0, prefix);
    assertUsage(usage("a", "t-2", body), rest, prefix, 0);
    assertLedger(ledger("t-2"), rest, prefix, 0);
  }

  @Test
  void withoutMarkersNothingIsCached() throws Exception {
    String body = "{\"model\":\"sim-large\",\"max_tokens\":100,\"system\":\"" + longSystem("unmarked") + "\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count to 3\"}]}";
    int total = countTokens(body);
    assertUsage(usage("a", "n-1", body), total, 0, 0);
    assertUsage(usage("a", "n-2", body), total, 0, 0);
    assertLedger(ledger("n-2"), total, 0, 0);
  }

  @Test
  void markersAreValidatedAsAnthropicDoes() {
    String five = "{\"model\":\"sim-large\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
        + ("{\"type\":\"text\",\"text\":\"x\"," + EPHEMERAL + "},").repeat(4)
        + "{\"type\":\"text\",\"text\":\"y\"," + EPHEMERAL + "}]}]}";
    HttpResponse<String> tooMany = post("a", "v-1", five);
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(tooMany.body()).at("/error/message").asString())
        .isEqualTo("A maximum of 4 blocks with cache_control may be provided. Found 5.");

    HttpResponse<String> badType = post("a", "v-2", "{\"model\":\"sim-large\",\"max_tokens\":100,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"x\",\"cache_control\":{\"type\":\"forever\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(badType.body()).at("/error/message").asString())
        .isEqualTo("system.0.cache_control.type: Input should be 'ephemeral'");
  }

  @Test
  void theCacheForgetsTheLeastRecentlyUsedPrefix() {
    PromptCache cache = new PromptCache(2);
    Prompt.CachePrefix one = new Prompt.CachePrefix(10, 1);
    Prompt.CachePrefix two = new Prompt.CachePrefix(20, 2);
    Prompt.CachePrefix three = new Prompt.CachePrefix(30, 3);
    assertThat(cache.use(15, one)).isEqualTo(new PromptUsage(5, 0, 10));
    assertThat(cache.use(25, two)).isEqualTo(new PromptUsage(5, 0, 20));
    assertThat(cache.use(15, one)).isEqualTo(new PromptUsage(5, 10, 0)); // now the most recently used
    assertThat(cache.use(35, three)).isEqualTo(new PromptUsage(5, 0, 30)); // evicts two
    assertThat(cache.use(15, one)).isEqualTo(new PromptUsage(5, 10, 0));
    assertThat(cache.use(25, two)).isEqualTo(new PromptUsage(5, 0, 20));
    assertThat(cache.use(7, null)).isEqualTo(new PromptUsage(7, 0, 0));
  }
}
