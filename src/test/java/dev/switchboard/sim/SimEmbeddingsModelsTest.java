package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.switchboard.util.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Embeddings (base64 as the SDK asks by default, and float) and the models endpoints. */
final class SimEmbeddingsModelsTest {
  static SimFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1), new SimDeploymentSpec("b", "r2",
        List.of("sim-embed", "ft:sim-small:acme:1"), 0, java.time.Duration.ZERO, 0, 12, 2));
    client = fx.client("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static List<Float> expected(String model, String text, int dims) {
    float[] v = Embeddings.vector(model, new Embeddings.Input(text, null), dims);
    Float[] boxed = new Float[v.length];
    for (int i = 0; i < v.length; i++) boxed[i] = v[i];
    return List.of(boxed);
  }

  @Test
  void sdkDefaultBase64IsDecodedToTheSameVector() {
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("sim-embed").input("hello world").build());
    List<Float> v = r.data().getFirst().embedding();
    assertThat(v).hasSize(1536).isEqualTo(expected("sim-embed", "hello world", 1536));
    double norm = 0;
    for (float f : v) norm += f * f;
    assertThat(norm).isCloseTo(1.0, within(1e-4));
    assertThat(r.usage().promptTokens()).isEqualTo(Tokens.count("hello world"));
    assertThat(r.usage().totalTokens()).isEqualTo(r.usage().promptTokens());
    assertThat(r.model()).isEqualTo("sim-embed");

    // The same input gets the same vector from another deployment, so a failover does not change results.
    CreateEmbeddingResponse fromB = fx.client("b").embeddings().create(EmbeddingCreateParams.builder()
        .model("sim-embed").input("hello world").build());
    assertThat(fromB.data().getFirst().embedding()).isEqualTo(v);
  }

  @Test
  void floatFormatSeveralInputsTokensAndDimensions() {
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("sim-embed").input(EmbeddingCreateParams.Input.ofArrayOfStrings(List.of("a", "b c")))
        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).dimensions(64).build());
    assertThat(r.data()).hasSize(2);
    assertThat(r.data().get(0).index()).isZero();
    assertThat(r.data().get(1).index()).isOne();
    assertThat(r.data().get(1).embedding()).isEqualTo(expected("sim-embed", "b c", 64));
    assertThat(r.usage().promptTokens()).isEqualTo(Tokens.count("a") + Tokens.count("b c"));

    CreateEmbeddingResponse tokens = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("sim-embed").input(EmbeddingCreateParams.Input.ofArrayOfTokenArrays(List.of(List.of(1L, 2L, 3L), List.of(4L))))
        .build());
    assertThat(tokens.data()).hasSize(2);
    assertThat(tokens.usage().promptTokens()).isEqualTo(4);
  }

  @Test
  void wireShapes() throws Exception {
    String url = fx.sim.deployment("a").baseUrl() + "/embeddings";
    JsonNode floats = Json.MAPPER.readTree(fx.post(url, "{\"model\":\"sim-embed\",\"input\":\"x\",\"dimensions\":4}",
        "authorization", "Bearer k").body());
    assertThat(floats.get("object").asString()).isEqualTo("list");
    assertThat(floats.at("/data/0/object").asString()).isEqualTo("embedding");
    assertThat(floats.at("/data/0/embedding").isArray()).isTrue();

    JsonNode b64 = Json.MAPPER.readTree(fx.post(url,
        "{\"model\":\"sim-embed\",\"input\":\"x\",\"dimensions\":4,\"encoding_format\":\"base64\"}",
        "authorization", "Bearer k").body());
    byte[] raw = Base64.getDecoder().decode(b64.at("/data/0/embedding").asString());
    ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(raw).hasSize(16);
    for (int i = 0; i < 4; i++) assertThat(le.getFloat()).isEqualTo(floats.at("/data/0/embedding/" + i).floatValue());

    HttpResponse<String> bad = fx.post(url, "{\"model\":\"sim-embed\",\"input\":\"x\",\"encoding_format\":\"hex\"}",
        "authorization", "Bearer k");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(bad.body()).at("/error/param").asString()).isEqualTo("encoding_format");
    HttpResponse<String> empty = fx.post(url, "{\"model\":\"sim-embed\",\"input\":[]}", "authorization", "Bearer k");
    assertThat(empty.statusCode()).isEqualTo(400);

    LedgerEntry e = fx.sim.ledger()
        .await(x -> x.endpoint().equals("embeddings") && x.outcome().equals("completed")).get(10, TimeUnit.SECONDS);
    assertThat(e.completionTokens()).isZero();
  }

  @Test
  void modelsListAndRetrieve() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).containsExactlyElementsOf(SimFixture.MODELS);
    assertThat(models).allSatisfy(m -> assertThat(m.ownedBy()).isEqualTo("switchboard-sim"));

    Model colon = fx.client("b").models().retrieve("ft:sim-small:acme:1");
    assertThat(colon.id()).isEqualTo("ft:sim-small:acme:1");
    assertThat(colon.created()).isPositive();

    assertThatThrownBy(() -> client.models().retrieve("nope")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void modelsNeedAKey() {
    HttpResponse<String> r = fx.send(HttpRequest.newBuilder(URI.create(fx.sim.deployment("a").baseUrl() + "/models"))
        .GET().build());
    assertThat(r.statusCode()).isEqualTo(401);
  }
}
