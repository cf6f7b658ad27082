package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.logging.JsonLineEncoder;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.StoreUnderTest;
import dev.switchboard.util.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The request log end to end: one key with content logging on and one without, used by the OpenAI and Anthropic
 * SDKs; the explorer API's rows, filters and pages; the captured prompt and answer with a planted secret redacted;
 * and the log stream (JSON lines with the request id, an access line per request) free of prompts and keys. Run on
 * the embedded store and on PostgreSQL.
 */
@ParameterizedClass
@EnumSource(value = StoreUnderTest.Kind.class, names = {"SQLITE", "POSTGRES"})
final class RequestLogE2ETest {
  private static final String PLANTED = "sk-ant-api03-PlantedSecret0123456789abcdef";
  private static final String AWS_ID = "AKIAIOSFODNN7EXAMPLE";

  @TempDir static Path dir;
  static GatewayFixture gw;
  static AdminCalls admin;
  static ByteArrayOutputStream logged;
  static OutputStreamAppender<ILoggingEvent> capture;
  @Parameter StoreUnderTest.Kind store;

  @BeforeParameterizedClassInvocation
  static void start(StoreUnderTest.Kind store) throws java.io.IOException {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    logged = new ByteArrayOutputStream();
    capture = new OutputStreamAppender<>();
    capture.setContext(context);
    capture.setEncoder(encoder);
    capture.setOutputStream(logged);
    capture.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    gw = GatewayFixture.start(Files.createDirectories(dir.resolve(store.name())), store,
        "logging: {format: json, requests: true}\n");
    admin = new AdminCalls(gw);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    gw.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
    capture.stop();
  }

  @Test
  void contentIsKeptRedactedForTheKeyThatLogsItAndNowhereElse() {
    JsonNode logging = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"audited\", \"log_content\": true}");
    JsonNode plain = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"private\"}");
    assertThat(logging.path("log_content").asBoolean()).isTrue();
    assertThat(plain.path("log_content").asBoolean()).isFalse();
    String loggingId = logging.path("id").asString();
    String plainId = plain.path("id").asString();

    OpenAIClient audited = gw.client(logging.path("key").asString());
    String prompt = "marker-audited-7f3a please keep " + PLANTED + " and " + AWS_ID + " safe";
    ChatCompletion whole = audited.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
        .addUserMessage(prompt).build());
    StringBuilder streamed = new StringBuilder();
    try (var s = audited.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
        .model("sim-small").addUserMessage("marker-audited-stream count to 6").build())) {
      s.stream().forEach((ChatCompletionChunk c) -> c.choices()
          .forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gw.gateway().port())
        .apiKey(logging.path("key").asString()).maxRetries(0).build();
    StringBuilder translated = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(MessageCreateParams
        .builder().model("claude").maxTokens(64L).addUserMessage("marker-audited-anthropic count to 3").build())) {
      s.stream().forEach(e -> e.contentBlockDelta().ifPresent(d -> d.delta().text()
          .ifPresent(t -> translated.append(t.text()))));
    } finally {
      anthropic.close();
    }
    gw.client(plain.path("key").asString()).chat().completions().create(ChatCompletionCreateParams.builder()
        .model("chat").addUserMessage("marker-private-9c1d " + PLANTED).build());

    String wholeId = idOf(loggingId, "chat", false);
    String streamId = idOf(loggingId, "sim-small", true);
    String anthropicId = idOf(loggingId, "claude", true);
    String plainRequest = idOf(plainId, "chat", false);

    JsonNode one = awaitRequest(wholeId, j -> !j.path("content").isNull());
    assertThat(one.path("content_logging").asBoolean()).isTrue();
    assertThat(one.path("key").asString()).isEqualTo("sk-sbv-" + loggingId);
    assertThat(one.path("key_name").asString()).isEqualTo("audited");
    assertThat(one.path("model").asString()).isEqualTo("chat");
    assertThat(one.path("deployment").asString()).isEqualTo("sim/sim-large");
    assertThat(one.path("front_door").asString()).isEqualTo("openai");
    assertThat(one.path("status").asInt()).isEqualTo(200);
    assertThat(one.path("outcome").asString()).isEqualTo("completed");
    assertThat(one.path("input_tokens").asLong()).isEqualTo(whole.usage().orElseThrow().promptTokens());
    assertThat(one.path("output_tokens").asLong()).isEqualTo(whole.usage().orElseThrow().completionTokens());
    String request = one.path("content").path("request").asString();
    assertThat(request).contains("marker-audited-7f3a").contains("[REDACTED]").doesNotContain(PLANTED)
        .doesNotContain(AWS_ID);
    String answerJson = Json.MAPPER.writeValueAsString(whole.choices().getFirst().message().content().orElseThrow());
    assertThat(one.path("content").path("answer").asString())
        .contains(answerJson.substring(1, answerJson.length() - 1)); // the body as sent: the text JSON-escaped

    JsonNode stream = awaitRequest(streamId, j -> !j.path("content").isNull());
    assertThat(stream.path("stream").asBoolean()).isTrue();
    assertThat(stream.path("content").path("answer").asString()).isEqualTo(streamed.toString());
    JsonNode viaAnthropic = awaitRequest(anthropicId, j -> !j.path("content").isNull());
    assertThat(viaAnthropic.path("front_door").asString()).isEqualTo("anthropic");
    assertThat(viaAnthropic.path("content").path("answer").asString()).isEqualTo(translated.toString());
    assertThat(viaAnthropic.path("content").path("request").asString()).contains("marker-audited-anthropic");

    // The other key's request is in the log, without content. Content is written after the usage row, so by the
    // time the audited key's last content is readable, the private request's would be too.
    JsonNode hidden = awaitRequest(plainRequest, j -> true);
    assertThat(hidden.path("content_logging").asBoolean()).isFalse();
    assertThat(hidden.path("content").isNull()).isTrue();

    // The log stream: JSON lines, an access line per request with its id and key prefix, and no content or key.
    awaitLogged(plainRequest);
    String log = logged.toString(StandardCharsets.UTF_8);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : log.split("\n")) if (!line.isBlank()) lines.add(Json.MAPPER.readTree(line));
    JsonNode access = lines.stream().filter(l -> wholeId.equals(l.path("request_id").asString())
        && l.path("logger").asString().equals("switchboard.access")).findFirst().orElseThrow();
    assertThat(access.path("level").asString()).isEqualTo("INFO");
    assertThat(access.path("timestamp").asString()).isNotEmpty();
    assertThat(access.path("thread").asString()).isNotEmpty();
    assertThat(access.path("key").asString()).isEqualTo("sk-sbv-" + loggingId);
    assertThat(access.path("model").asString()).isEqualTo("chat");
    assertThat(access.path("status").asInt()).isEqualTo(200);
    assertThat(access.path("input_tokens").asLong()).isEqualTo(whole.usage().orElseThrow().promptTokens());
    assertThat(log).doesNotContain("marker-audited").doesNotContain("marker-private").doesNotContain(PLANTED)
        .doesNotContain(logging.path("key").asString()).doesNotContain(plain.path("key").asString())
        .doesNotContain(GatewayFixture.MASTER_KEY);
  }

  @Test
  void aTeamWithContentLoggingCoversEveryKeyOfIt() {
    JsonNode team = admin.ok(201, "POST", "/admin/teams", "{\"name\": \"audited-team\", \"log_content\": true}");
    assertThat(team.path("log_content").asBoolean()).isTrue();
    JsonNode key = admin.ok(201, "POST", "/admin/keys", "{\"team\": \"audited-team\", \"name\": \"member\"}");
    assertThat(key.path("log_content").asBoolean()).isFalse();
    gw.client(key.path("key").asString()).chat().completions().create(ChatCompletionCreateParams.builder()
        .model("chat").addUserMessage("marker-team-member").build());
    String id = idOf(key.path("id").asString(), "chat", false);
    JsonNode r = awaitRequest(id, j -> !j.path("content").isNull());
    assertThat(r.path("team_name").asString()).isEqualTo("audited-team");
    assertThat(r.path("content").path("request").asString()).contains("marker-team-member");

    // Turned off, the team's next request is not kept.
    admin.ok(200, "PATCH", "/admin/teams/audited-team", "{\"log_content\": false}");
    gw.client(key.path("key").asString()).chat().completions().create(ChatCompletionCreateParams.builder()
        .model("sim-small").addUserMessage("marker-team-after").build());
    JsonNode after = awaitRequest(idOf(key.path("id").asString(), "sim-small", false), j -> true);
    assertThat(after.path("content").isNull()).isTrue();
  }

  @Test
  void theExplorerFiltersAndPagesNewestFirst() {
    JsonNode key = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"explorer\"}");
    String id = key.path("id").asString();
    OpenAIClient client = gw.client(key.path("key").asString());
    for (int i = 0; i < 5; i++) {
      client.chat().completions().create(ChatCompletionCreateParams.builder().model(i < 3 ? "chat" : "sim-small")
          .addUserMessage("explore " + i).build());
    }
    HttpResponse<String> missing = admin.call("POST", "/v1/chat/completions", "{\"model\": \"no-such-model\", "
        + "\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", key.path("key").asString());
    assertThat(missing.statusCode()).isEqualTo(404);

    Set<String> mine = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (mine.size() < 5 && System.nanoTime() < deadline) { // the observers hear of an exchange just after its end
      mine.clear();
      for (ExchangeRecord r : gw.exchanges().all()) {
        if (id.equals(r.keyId()) && r.deployment() != null) mine.add(r.requestId());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(mine).hasSize(5);

    JsonNode all = admin.await("/admin/requests?key=" + id, j -> j.path("data").size() >= 5);
    List<String> ids = new ArrayList<>();
    for (JsonNode r : all.path("data")) ids.add(r.path("id").asString());
    List<String> times = new ArrayList<>();
    for (JsonNode r : all.path("data")) times.add(r.path("time").asString() + r.path("id").asString());
    assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(ids).containsAll(mine);

    JsonNode chat = admin.ok(200, "GET", "/admin/requests?key=" + id + "&model=chat", null);
    assertThat(chat.path("data").size()).isEqualTo(3);
    for (JsonNode r : chat.path("data")) assertThat(r.path("model").asString()).isEqualTo("chat");
    JsonNode small = admin.ok(200, "GET", "/admin/requests?key=" + key.path("prefix").asString()
        + "&model=sim-small&status=200&outcome=completed", null);
    assertThat(small.path("data").size()).isEqualTo(2);
    JsonNode errors = admin.ok(200, "GET", "/admin/requests?key=" + id + "&status=error", null);
    for (JsonNode r : errors.path("data")) assertThat(r.path("status").asInt()).isGreaterThanOrEqualTo(400);
    JsonNode ok = admin.ok(200, "GET", "/admin/requests?key=" + id + "&status=2xx", null);
    assertThat(ok.path("data").size()).isEqualTo(5);
    JsonNode byDeployment = admin.ok(200, "GET", "/admin/requests?key=" + id + "&deployment=sim/sim-small", null);
    assertThat(byDeployment.path("data").size()).isEqualTo(2);

    // Pages of two, each starting after the last id of the one before, give the whole list in order, once.
    List<String> paged = new ArrayList<>();
    String before = null;
    for (int page = 0; page < 10; page++) {
      JsonNode p = admin.ok(200, "GET", "/admin/requests?key=" + id + "&limit=2"
          + (before == null ? "" : "&before=" + before), null);
      for (JsonNode r : p.path("data")) paged.add(r.path("id").asString());
      if (!p.path("has_more").asBoolean()) break;
      before = p.path("next_before").asString();
    }
    assertThat(paged).isEqualTo(ids);

    JsonNode bad = AdminCalls.error(admin.call("GET", "/admin/requests?status=abc", null));
    assertThat(bad.path("param").asString()).isEqualTo("status");
    assertThat(admin.call("GET", "/admin/requests/no-such-request", null).statusCode()).isEqualTo(404);
    assertThat(admin.call("GET", "/admin/requests", null, key.path("key").asString()).statusCode())
        .isEqualTo(403); // a virtual key is not the master key
  }

  private static String idOf(String keyId, String model, boolean stream) {
    // Awaited: the client can have its answer a moment before the gateway's observers hear the exchange ended.
    return gw.exchange(r -> keyId.equals(r.keyId()) && model.equals(r.model()) && r.stream() == stream).requestId();
  }

  /** Polls GET /admin/requests/{id} until it exists and satisfies {@code done}: the Meter and content log batch. */
  private static JsonNode awaitRequest(String id, Predicate<JsonNode> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = admin.call("GET", "/admin/requests/" + id, null);
      if (r.statusCode() == 200) {
        JsonNode j = Json.MAPPER.readTree(r.body());
        if (done.test(j)) return j;
      }
      if (System.nanoTime() > deadline) throw new AssertionError("request " + id + ": " + r.body());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static void awaitLogged(String requestId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!logged.toString(StandardCharsets.UTF_8).contains(requestId)) {
      if (System.nanoTime() > deadline) throw new AssertionError("no log line for " + requestId);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
