package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.SentRequests;
import dev.switchboard.util.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embeddings from the official OpenAI SDK through the gateway: its default base64 encoding and plain floats. */
final class EmbeddingsE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static SentRequests sent = new SentRequests();
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client(OpenAIOkHttpClient.builder().apiKey(GatewayFixture.MASTER_KEY).addInterceptor(sent));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static HttpResponseFor<CreateEmbeddingResponse> embed(EmbeddingCreateParams.Builder params) {
    HttpResponseFor<CreateEmbeddingResponse> raw = client.embeddings().withRawResponse().create(params.build());
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("sim");
    assertThat(raw.headers().values("x-switchboard-upstream-model")).containsExactly("sim-embed");
    return raw;
  }

  @Test
  void sdkDefaultBase64AndFloatsGiveTheSameVectors() {
    HttpResponseFor<CreateEmbeddingResponse> b64 = embed(EmbeddingCreateParams.builder().model("embed")
        .input("The quick brown fox"));
    assertThat(Json.MAPPER.readTree(sent.lastBody()).path("encoding_format").asString())
        .as("the SDK's own default").isEqualTo("base64");
    HttpResponseFor<CreateEmbeddingResponse> floats = embed(EmbeddingCreateParams.builder().model("embed")
        .input("The quick brown fox").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT));
    assertThat(Json.MAPPER.readTree(sent.lastBody()).path("encoding_format").asString()).isEqualTo("float");

    List<Float> fromBase64 = b64.parse().data().get(0).embedding();
    List<Float> fromFloats = floats.parse().data().get(0).embedding();
    assertThat(fromBase64).hasSize(1536).hasSameSizeAs(fromFloats);
    for (int i = 0; i < fromBase64.size(); i++) {
      assertThat(fromBase64.get(i)).as("component %d", i).isCloseTo(fromFloats.get(i), within(1e-7f));
    }
    double norm = Math.sqrt(fromBase64.stream().mapToDouble(f -> f * f).sum());
    assertThat(norm).isCloseTo(1.0, within(1e-4));

    LedgerEntry served = fx.ledgerEntry(b64.requestId().orElseThrow());
    assertThat(served.endpoint()).isEqualTo("embeddings");
    assertThat(served.model()).isEqualTo("sim-embed");
    assertThat(served.outcome()).isEqualTo("completed");
    assertThat(b64.parse().usage().promptTokens()).isEqualTo(served.promptTokens()).isPositive();
    assertThat(fx.exchange(b64.requestId().orElseThrow()).usage()).as("metered usage").isNotNull()
        .satisfies(u -> assertThat(u.inputTokens()).isEqualTo(served.promptTokens()));
  }

  @Test
  void largeAnswersArriveWhole() {
    // ~6 MB of JSON floats: relayed under back-pressure, with the upstream's Content-Length.
    List<String> inputs = java.util.stream.IntStream.range(0, 200).mapToObj(i -> "input number " + i).toList();
    HttpResponseFor<CreateEmbeddingResponse> raw = embed(EmbeddingCreateParams.builder().model("embed")
        .input(EmbeddingCreateParams.Input.ofArrayOfStrings(inputs))
        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT));
    CreateEmbeddingResponse floats = raw.parse();
    CreateEmbeddingResponse b64 = embed(EmbeddingCreateParams.builder().model("embed")
        .input(EmbeddingCreateParams.Input.ofArrayOfStrings(inputs))).parse();
    assertThat(floats.data()).hasSize(200);
    for (int i = 0; i < 200; i++) {
      assertThat(floats.data().get(i).index()).isEqualTo(i);
      List<Float> f = floats.data().get(i).embedding();
      List<Float> b = b64.data().get(i).embedding();
      assertThat(f).hasSize(1536);
      for (int k = 0; k < f.size(); k++) assertThat(f.get(k)).isCloseTo(b.get(k), within(1e-7f));
    }
    assertThat(fx.exchange(raw.requestId().orElseThrow()).usage()).as("metered usage of a 6 MB answer").isNotNull()
        .satisfies(u -> assertThat(u.inputTokens()).isEqualTo(fx.ledgerEntry(raw.requestId().orElseThrow())
            .promptTokens()));
  }

  @Test
  void severalInputsComeBackInOrder() {
    CreateEmbeddingResponse r = embed(EmbeddingCreateParams.builder().model("embed")
        .input(EmbeddingCreateParams.Input.ofArrayOfStrings(List.of("alpha", "beta", "alpha")))
        .dimensions(64)).parse();
    assertThat(r.data()).extracting(e -> e.index()).containsExactly(0L, 1L, 2L);
    assertThat(r.data()).allSatisfy(e -> assertThat(e.embedding()).hasSize(64));
    assertThat(r.data().get(0).embedding()).isEqualTo(r.data().get(2).embedding())
        .isNotEqualTo(r.data().get(1).embedding());
  }
}
