package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenAiRequestTest {

  private static OpenAiRequest chat(String json) {
    return OpenAiRequest.scan(json.getBytes(StandardCharsets.UTF_8), OpenAiRequest.Kind.CHAT);
  }

  private static GatewayError rejection(String json) {
    try {
      chat(json);
    } catch (RejectedException e) {
      return e.error();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void readsTheMostOutputTheAnswerMayHaveOverAllItsChoices() {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertThat(chat("{\"model\":\"m\"," + messages + "}").maxOutputTokens).isNull();
    assertThat(chat("{\"model\":\"m\",\"max_tokens\":null," + messages + "}").maxOutputTokens).isNull();
    assertThat(chat("{\"model\":\"m\",\"max_tokens\":100," + messages + "}").maxOutputTokens).isEqualTo(100);
    assertThat(chat("{\"model\":\"m\",\"max_completion_tokens\":300,\"max_tokens\":100," + messages + "}")
        .maxOutputTokens).isEqualTo(300);
    OpenAiRequest three = chat("{\"model\":\"m\",\"n\":3,\"max_completion_tokens\":50," + messages + "}");
    assertThat(three.maxOutputTokens).isEqualTo(150);
    assertThat(three.choices).isEqualTo(3);
    assertThat(chat("{\"model\":\"m\",\"n\":1000000,\"max_tokens\":99999999999999999999," + messages + "}")
        .maxOutputTokens).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void rewritesOnlyTheModelAndKeepsEveryOtherByte() {
    String body = "{ \"messages\": [{\"role\":\"user\",\"content\":\"h\u00e9llo \u2603 \\\"model\\\"\"}],\n"
        + "  \"model\" : \"small\", \"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],"
        + " \"seed\": 7, \"unknown_field\": {\"x\": [1,2]} }";
    OpenAiRequest r = chat(body);
    assertThat(r.model).isEqualTo("small");
    Buffer out = r.rewrite(Buffer.buffer(body), "vendor/Big-Model:1", false);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(body.replace("\"small\"", "\"vendor/Big-Model:1\""));
  }

  @Test
  void offsetsHoldForABodyThatIsASliceOfALargerBuffer() {
    String body = "{\"stream\":true,\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    Buffer whole = Buffer.buffer("GARBAGE-BEFORE" + body + "GARBAGE-AFTER");
    Buffer slice = whole.slice(14, 14 + body.length());
    OpenAiRequest r = OpenAiRequest.scan(slice, OpenAiRequest.Kind.CHAT);
    JsonNode out = Json.MAPPER.readTree(r.rewrite(slice, "upstream", true).getBytes());
    assertThat(out.path("model").asString()).isEqualTo("upstream");
    assertThat(out.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(out.path("messages").size()).isEqualTo(1);
  }

  @Test
  void sameModelNameLeavesTheBodyUntouched() {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    Buffer original = Buffer.buffer(body);
    assertThat(chat(body).rewrite(original, "m", false)).isSameAs(original);
  }

  @Test
  void asksForUsageOnStreamsWithoutLosingTheClientsOptions() {
    String absent = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    JsonNode a = Json.MAPPER.readTree(chat(absent).rewrite(Buffer.buffer(absent), "up", true).getBytes());
    assertThat(a.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(a.path("model").asString()).isEqualTo("up");
    assertThat(a.path("messages").size()).isEqualTo(1);

    String other = "{\"stream_options\":{\"include_obfuscation\":false},\"model\":\"m\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    OpenAiRequest r = chat(other);
    assertThat(r.includeUsage).isNull();
    JsonNode o = Json.MAPPER.readTree(r.rewrite(Buffer.buffer(other), "up", true).getBytes());
    assertThat(o.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(o.path("stream_options").path("include_obfuscation").asBoolean(true)).isFalse();
  }

  @Test
  void readsTheClientsUsageChoice() {
    String body = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    OpenAiRequest r = chat(body);
    assertThat(r.stream).isTrue();
    assertThat(r.includeUsage).isTrue();
    Buffer original = Buffer.buffer(body);
    assertThat(r.rewrite(original, "m", true)).isSameAs(original);
  }

  @Test
  void namesTheFieldAtFault() {
    assertThat(rejection("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").param()).isEqualTo("model");
    assertThat(rejection("{\"model\":\"m\"}").param()).isEqualTo("messages");
    assertThat(rejection("{\"model\":\"m\",\"messages\":[]}").code()).isEqualTo("empty_array");
    assertThat(rejection("{\"model\":3,\"messages\":[{\"role\":\"user\"}]}").param()).isEqualTo("model");
    assertThat(rejection("{\"model\":\"m\",\"messages\":\"hi\"}").message()).contains("expected an array");
    assertThat(rejection("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"},{\"role\":\"robot\"}]}").param())
        .isEqualTo("messages[1].role");
    assertThat(rejection("{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}").param()).isEqualTo("messages[0].role");
    assertThat(rejection("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream_options\":{}}").param())
        .isEqualTo("stream_options");
  }

  @Test
  void malformedJsonSaysWhere() {
    GatewayError e = rejection("{\"model\": \"m\",\n \"messages\": [}");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.message()).contains("line 2").contains("column");
    assertThat(rejection("[1,2]").message()).contains("must be a JSON object");
    assertThat(rejection("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]} {}").message()).contains("after its JSON");
  }

  @Test
  void embeddingsNeedModelAndInput() {
    byte[] ok = "{\"model\":\"e\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(OpenAiRequest.scan(ok, OpenAiRequest.Kind.EMBEDDINGS).model).isEqualTo("e");
    assertThatThrownBy(() -> OpenAiRequest.scan("{\"model\":\"e\"}".getBytes(StandardCharsets.UTF_8),
        OpenAiRequest.Kind.EMBEDDINGS)).isInstanceOfSatisfying(RejectedException.class,
            e -> assertThat(e.error().param()).isEqualTo("input"));
  }
}
