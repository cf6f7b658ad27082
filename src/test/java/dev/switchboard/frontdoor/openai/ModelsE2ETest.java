package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.NotFoundException;
import com.openai.models.models.Model;
import com.openai.models.models.ModelListPage;
import dev.switchboard.testing.GatewayFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} through the official OpenAI SDK: the gateway's catalog. */
final class ModelsE2ETest {
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

  @Test
  void listShowsTheCatalogsLogicalNames() {
    HttpResponseFor<ModelListPage> raw = client.models().withRawResponse().list();
    assertThat(raw.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    ModelListPage page = raw.parse();
    assertThat(page.data()).extracting(Model::id).containsExactly("chat", "sim-small", "embed", "team:chat-v1",
        "acme/chat", "paced", "slow", "faulty", "impatient", "trickle", "recorded", "claude", "claude-faulty");
    assertThat(page.data()).filteredOn(m -> m.id().equals("chat")).singleElement()
        .satisfies(m -> assertThat(m.ownedBy()).isEqualTo("sim"));
    assertThat(page.data()).filteredOn(m -> m.id().equals("recorded")).singleElement()
        .satisfies(m -> assertThat(m.ownedBy()).isEqualTo("recorder"));
    long now = System.currentTimeMillis() / 1000;
    assertThat(page.data()).allSatisfy(m -> assertThat(m.created()).isBetween(now - 600, now + 60));
    assertThat(page.hasNextPage()).isFalse();
  }

  @Test
  void retrievesOneModelByItsLogicalName() {
    assertThat(client.models().retrieve("chat").id()).isEqualTo("chat");
    Model colon = client.models().retrieve("team:chat-v1");
    assertThat(colon.id()).isEqualTo("team:chat-v1");
    assertThat(colon.ownedBy()).isEqualTo("sim");
    assertThat(client.models().retrieve("acme/chat").id()).isEqualTo("acme/chat");
  }

  @Test
  void aModelShowsItsDeploymentsWithPricesAndWhereTheyCameFrom() {
    var resp = fx.send(java.net.http.HttpRequest.newBuilder(fx.uri("/models/chat"))
        .header("authorization", "Bearer " + GatewayFixture.MASTER_KEY).build());
    var chat = dev.switchboard.util.Json.MAPPER.readTree(resp.body());
    assertThat(chat.path("strategy").asString()).isEqualTo("cheapest");
    assertThat(chat.path("deployments")).hasSize(1);
    var first = chat.path("deployments").get(0);
    assertThat(first.path("id").asString()).isEqualTo("sim/sim-large");
    assertThat(first.path("price_per_million_tokens").path("input").decimalValue()).isEqualByComparingTo("1");
    assertThat(first.path("price_per_million_tokens").path("source").asString()).contains("simulator");
  }

  @Test
  void unknownModelIsNotFound() {
    assertThatThrownBy(() -> client.models().retrieve("sim-large")) // an upstream id, not a logical name
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.code()).contains("model_not_found");
          assertThat(e.getMessage()).contains("'sim-large'").contains("chat, sim-small");
          assertThat(e.headers().values("x-request-id")).singleElement().asString().startsWith("req_");
        });
  }
}
