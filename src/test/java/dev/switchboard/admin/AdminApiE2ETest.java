package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.switchboard.testing.StoreUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import tools.jackson.databind.JsonNode;

/**
 * The admin API end to end: a team and a key made over HTTP, the key used by the OpenAI and Anthropic SDKs, the
 * usage API's sums (JSON and CSV, by key, team, model and day) equal to the simulator's own ledger token for token,
 * and revocation felt by both SDKs at once; a SigV4 pair made through the API works with the AWS SDK until revoked.
 * Usage is checked per key, so the tests' traffic does not mix. Run on the embedded store and on PostgreSQL.
 */
@ParameterizedClass
@EnumSource(StoreUnderTest.Kind.class)
final class AdminApiE2ETest {
  @TempDir static Path dir;
  static GatewayFixture gw;
  static AdminCalls admin;
  @Parameter StoreUnderTest.Kind store;

  @BeforeParameterizedClassInvocation
  static void start(StoreUnderTest.Kind store) throws java.io.IOException {
    gw = GatewayFixture.start(java.nio.file.Files.createDirectories(dir.resolve(store.name())), store);
    admin = new AdminCalls(gw);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    gw.close();
  }

  @Test
  void aKeyMadeThroughTheApiIsMeteredExactlyAndStopsWorkingWhenRevoked() {
    JsonNode team = admin.ok(201, "POST", "/admin/teams",
        "{\"name\": \"ml\", \"limits\": {\"rpm\": 600}, \"budgets\": [\"50/day\"], \"metadata\": {\"cost_center\": 7}}");
    assertThat(team.path("id").asString()).startsWith("team_");
    assertThat(team.path("budgets").get(0).path("usd").asString()).isEqualTo("50");
    assertThat(team.path("metadata").path("cost_center").asString()).isEqualTo("7");

    JsonNode created = admin.ok(201, "POST", "/admin/keys", "{\"team\": \"ml\", \"name\": \"bot\", \"models\": "
        + "[\"chat\", \"claude\"], \"limits\": {\"tpm\": 1000000}, \"budgets\": [{\"usd\": 10, \"period\": "
        + "\"month\"}], \"expires\": \"30d\"}");
    String key = created.path("key").asString();
    String id = created.path("id").asString();
    assertThat(key).startsWith("sk-sbv-" + id);
    assertThat(created.path("team").asString()).isEqualTo(team.path("id").asString());
    assertThat(created.path("status").asString()).isEqualTo("active");
    assertThat(created.path("expires").asString()).startsWith(LocalDate.now(ZoneOffset.UTC).plusDays(30).toString()
        .substring(0, 4));

    OpenAIClient openai = gw.client(key);
    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gw.gateway().port())
        .apiKey(key).maxRetries(0).build();
    try {
      for (int i = 0; i < 2; i++) {
        openai.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
            .addUserMessage("usage through the admin api " + i).build());
      }
      anthropic.messages().create(MessageCreateParams.builder().model("claude").maxTokens(64L)
          .addUserMessage("and once through the Anthropic door").build());

      // Ground truth: what the upstream counted for each of this key's requests. A record is published when its
      // exchange ends, which can be just after the client has read the answer: wait for the Anthropic one.
      GatewayFixture.get(gw.exchanges().await(r -> id.equals(r.keyId()) && "messages".equals(r.endpoint())));
      List<ExchangeRecord> mine = gw.exchanges().all().stream().filter(r -> id.equals(r.keyId())).toList();
      assertThat(mine).hasSize(3);
      Map<String, long[]> truth = new HashMap<>();
      BigDecimal cost = BigDecimal.ZERO;
      for (ExchangeRecord r : mine) {
        LedgerEntry e = gw.ledgerEntry(r.requestId());
        long[] t = truth.computeIfAbsent(r.model(), m -> new long[3]);
        t[0]++;
        t[1] += e.promptTokens();
        t[2] += e.completionTokens();
        if (r.cost() != null) cost = cost.add(r.cost());
      }

      JsonNode byKey = admin.await("/admin/usage?group_by=key&key=" + id,
          j -> j.path("total").path("requests").asLong() == 3);
      JsonNode row = byKey.path("rows").get(0);
      assertThat(row.path("key").asString()).isEqualTo(id);
      assertThat(row.path("key_name").asString()).isEqualTo("bot");
      assertThat(row.path("input_tokens").asLong()).isEqualTo(truth.values().stream().mapToLong(t -> t[1]).sum());
      assertThat(row.path("output_tokens").asLong()).isEqualTo(truth.values().stream().mapToLong(t -> t[2]).sum());
      assertThat(new BigDecimal(row.path("cost_usd").asString())).isEqualByComparingTo(cost);

      JsonNode byModel = admin.ok(200, "GET", "/admin/usage?group_by=model&key=" + id, null);
      assertThat(byModel.path("rows")).hasSize(2);
      for (JsonNode r : byModel.path("rows")) {
        long[] t = truth.get(r.path("model").asString());
        assertThat(r.path("requests").asLong()).isEqualTo(t[0]);
        assertThat(r.path("input_tokens").asLong()).isEqualTo(t[1]);
        assertThat(r.path("output_tokens").asLong()).isEqualTo(t[2]);
      }

      JsonNode byTeamAndDay = admin.ok(200, "GET", "/admin/usage?group_by=team,day&team=ml", null);
      JsonNode teamRow = byTeamAndDay.path("rows").get(0);
      assertThat(teamRow.path("team_name").asString()).isEqualTo("ml");
      assertThat(teamRow.path("day").asString()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
      assertThat(byTeamAndDay.path("total").path("requests").asLong()).isEqualTo(3);
      assertThat(byTeamAndDay.path("total").path("input_tokens")).isEqualTo(row.path("input_tokens"));

      HttpResponse<String> csv = admin.call("GET", "/admin/usage?group_by=model&format=csv&key=" + id, null);
      assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
      List<Map<String, String>> lines = parseCsv(csv.body());
      assertThat(lines).hasSize(2);
      for (Map<String, String> l : lines) {
        long[] t = truth.get(l.get("model"));
        assertThat(Long.parseLong(l.get("input_tokens"))).isEqualTo(t[1]);
        assertThat(Long.parseLong(l.get("output_tokens"))).isEqualTo(t[2]);
      }
      HttpResponse<String> accepted = admin.call("GET", "/admin/usage?group_by=key&key=" + id, null,
          GatewayFixture.MASTER_KEY, "accept", "text/csv");
      assertThat(parseCsv(accepted.body()).getFirst()).containsEntry("key_name", "bot").containsEntry("requests", "3");

      JsonNode shown = admin.ok(200, "GET", "/admin/keys/" + created.path("prefix").asString(), null);
      assertThat(new BigDecimal(shown.path("spend").path("total").asString())).isEqualByComparingTo(cost);

      JsonNode revoked = admin.ok(200, "DELETE", "/admin/keys/" + id, null);
      assertThat(revoked.path("status").asString()).isEqualTo("revoked");
      assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder().model("chat")
          .addUserMessage("after revocation").build()))
          .isInstanceOf(com.openai.errors.UnauthorizedException.class).hasMessageContaining("revoked");
      assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder().model("claude")
          .maxTokens(64L).addUserMessage("after revocation").build()))
          .isInstanceOf(com.anthropic.errors.UnauthorizedException.class).hasMessageContaining("revoked");
    } finally {
      anthropic.close();
    }
  }

  @Test
  void theKeyIsShownOnceAndNeitherItsHashNorItsSealedSecretEver() {
    JsonNode created = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"aws\", \"sigv4\": true}");
    String key = created.path("key").asString();
    String secret = created.path("secret_access_key").asString();
    assertThat(created.path("access_key_id").asString()).startsWith("SBAK");
    assertThat(secret).hasSize(40);
    assertThat(created.path("team_name").asString()).isEqualTo("default");
    String id = created.path("id").asString();
    for (String path : List.of("/admin/keys", "/admin/keys/" + id, "/admin/keys?team=default",
        "/admin/keys/" + created.path("access_key_id").asString())) {
      String body = admin.call("GET", path, null).body();
      assertThat(body).contains(id).doesNotContain(key).doesNotContain(secret).doesNotContain("hash")
          .doesNotContain("enc:v1:").doesNotContain("sealed");
    }
  }

  @Test
  void aSigV4PairFromTheApiWorksWithTheAwsSdkUntilRevoked() {
    JsonNode created = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"aws-app\", \"sigv4\": true, "
        + "\"models\": [\"chat\"]}");
    String id = created.path("id").asString();
    BedrockRuntimeClient bedrock = BedrockRuntimeClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + gw.gateway().port())).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            created.path("access_key_id").asString(), created.path("secret_access_key").asString())))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    try {
      ConverseRequest ask = ConverseRequest.builder().modelId("chat").messages(Message.builder()
          .role(ConversationRole.USER).content(ContentBlock.fromText("count to 3")).build()).build();
      ConverseResponse answer = bedrock.converse(ask);
      JsonNode usage = admin.await("/admin/usage?group_by=front_door&key=" + id,
          j -> j.path("total").path("requests").asLong() == 1);
      assertThat(usage.path("rows").get(0).path("front_door").asString()).isEqualTo("bedrock");
      assertThat(usage.path("rows").get(0).path("output_tokens").asLong())
          .isEqualTo(answer.usage().outputTokens().longValue());

      admin.ok(200, "POST", "/admin/keys/" + created.path("access_key_id").asString() + "/revoke", null);
      assertThatThrownBy(() -> bedrock.converse(ask)).isInstanceOf(BedrockRuntimeException.class)
          .hasMessageContaining("revoked");
    } finally {
      bedrock.close();
    }
  }

  @Test
  void aVirtualKeyGets403FromEveryAdminEndpoint() {
    String key = admin.ok(201, "POST", "/admin/keys", "{\"name\": \"not-an-admin\"}").path("key").asString();
    for (String[] call : List.of(new String[] {"GET", "/admin/teams"}, new String[] {"POST", "/admin/teams"},
        new String[] {"GET", "/admin/keys"}, new String[] {"POST", "/admin/keys"},
        new String[] {"GET", "/admin/usage"}, new String[] {"DELETE", "/admin/keys/whatever"},
        new String[] {"GET", "/admin/routes/chat"})) {
      HttpResponse<String> r = admin.call(call[0], call[1], call[0].equals("POST") ? "{\"name\": \"x\"}" : null, key);
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
      assertThat(AdminCalls.error(r).path("message").asString()).contains("master key");
    }
    assertThat(admin.call("GET", "/admin/keys", null, "sk-sbv-nonsense").statusCode()).isEqualTo(401);
  }

  @Test
  void badInputIsA400ThatNamesTheField() {
    String[][] cases = {
        {"/admin/teams", "{\"limits\": {\"rpm\": 5}}", "name"},
        {"/admin/teams", "{\"name\": \"t1\", \"limits\": {\"rpm\": -1}}", "limits.rpm"},
        {"/admin/teams", "{\"name\": \"t1\", \"limits\": {\"rpx\": 1}}", "limits.rpx"},
        {"/admin/teams", "{\"name\": \"t1\", \"budget\": \"5/day\"}", "budget"},
        {"/admin/teams", "{\"name\": \"t1\", \"budgets\": [\"5/week\"]}", "budgets"},
        {"/admin/teams", "{\"name\": \"t1\", \"budgets\": [\"5/day\", \"7/daily\"]}", "budgets"},
        {"/admin/keys", "{\"expires\": \"soon\"}", "expires"},
        {"/admin/keys", "{\"expires\": \"2001-01-01\"}", "expires"},
        {"/admin/keys", "{\"models\": [\"no-such-model\"]}", "models"},
        {"/admin/keys", "{\"sigv4\": \"yes\"}", "sigv4"},
        {"/admin/keys", "{\"metadata\": {\"a\": {\"b\": 1}}}", "metadata.a"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = admin.call("POST", c[0], c[1]);
      assertThat(r.statusCode()).as(c[1]).isEqualTo(400);
      assertThat(AdminCalls.error(r).path("param").asString()).as(c[1]).isEqualTo(c[2]);
      assertThat(AdminCalls.error(r).path("message").asString()).as(c[1]).contains(c[2]);
    }
    HttpResponse<String> notJson = admin.call("POST", "/admin/teams", "{name: ");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(AdminCalls.error(notJson).path("message").asString()).contains("not valid JSON");
    for (String[] q : new String[][] {{"group_by=week", "group_by"}, {"from=2026-13-01", "from"},
        {"from=2026-02-01&to=2026-01-01", "to"}, {"format=xml", "format"}, {"groupby=day", "groupby"}}) {
      HttpResponse<String> r = admin.call("GET", "/admin/usage?" + q[0], null);
      assertThat(r.statusCode()).as(q[0]).isEqualTo(400);
      assertThat(AdminCalls.error(r).path("param").asString()).as(q[0]).isEqualTo(q[1]);
    }
    assertThat(admin.call("PUT", "/admin/teams", "{}").statusCode()).isEqualTo(405);
    assertThat(admin.call("GET", "/admin/nothing-here", null).statusCode()).isEqualTo(404);
  }

  @Test
  void unknownTeamsAndKeysAre404AndATakenNameIs409() {
    assertThat(admin.call("GET", "/admin/teams/nobody", null).statusCode()).isEqualTo(404);
    assertThat(admin.call("GET", "/admin/keys/abcdefghijkm", null).statusCode()).isEqualTo(404);
    assertThat(admin.call("POST", "/admin/keys/abcdefghijkm/revoke", null).statusCode()).isEqualTo(404);
    assertThat(admin.call("GET", "/admin/usage?team=nobody", null).statusCode()).isEqualTo(404);
    HttpResponse<String> noTeam = admin.call("POST", "/admin/keys", "{\"team\": \"nobody\"}");
    assertThat(noTeam.statusCode()).isEqualTo(404);
    assertThat(AdminCalls.error(noTeam).path("param").asString()).isEqualTo("team");
    assertThat(AdminCalls.error(noTeam).path("message").asString()).contains("teams create");

    admin.ok(201, "POST", "/admin/teams", "{\"name\": \"twice\"}");
    HttpResponse<String> again = admin.call("POST", "/admin/teams", "{\"name\": \"twice\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(AdminCalls.error(again).path("message").asString()).contains("twice");

    JsonNode patched = admin.ok(200, "PATCH", "/admin/teams/twice", "{\"limits\": {\"concurrency\": 3}}");
    assertThat(patched.path("limits").path("concurrency").asInt()).isEqualTo(3);
    JsonNode cleared = admin.ok(200, "PATCH", "/admin/teams/twice", "{\"limits\": {\"concurrency\": null, "
        + "\"rpm\": 9}}");
    assertThat(cleared.path("limits").path("concurrency").isNull()).isTrue();
    assertThat(cleared.path("limits").path("rpm").asInt()).isEqualTo(9);
    assertThat(admin.call("PATCH", "/admin/teams/twice", "{\"name\": \"other\"}").statusCode()).isEqualTo(400);
  }

  /** Rows of a CSV answer (no quoted fields expected here), keyed by the header row's column names. */
  static List<Map<String, String>> parseCsv(String body) {
    String[] lines = body.split("\r\n");
    String[] header = lines[0].split(",", -1);
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] cells = lines[i].split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (int c = 0; c < header.length; c++) row.put(header[c], cells[c]);
      out.add(row);
    }
    return out;
  }
}
