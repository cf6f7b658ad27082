package dev.switchboard.frontdoor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonMissing;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Requests the gateway refuses before any upstream is involved, seen by the official OpenAI SDK (and a raw client for
 * what the SDK cannot send): each maps to the SDK exception type a user catches, with a message that says what to fix,
 * the OpenAI error shape, an {@code x-request-id}, and {@code x-should-retry: false} so that no SDK retries a mistake.
 */
final class RequestErrorsE2ETest {
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

  static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  /** The SDK call fails with {@code type}; returns the exception after the checks every refusal shares. */
  static <E extends OpenAIServiceException> E refused(Class<E> type, int status, ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(type);
    E e = type.cast(t);
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.headers().values("x-request-id")).singleElement().asString().startsWith("req_");
    assertThat(e.headers().values("x-should-retry")).containsExactly("false");
    assertThat(e.headers().values("x-switchboard-provider")).as("no upstream was involved").isEmpty();
    return e;
  }

  /** The raw answer is an OpenAI error object; returns its {@code error}. */
  static JsonNode openAiError(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(r.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
    JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("message").asString()).isNotBlank();
    assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    return error;
  }

  @Test
  void malformedJsonSaysWhere() {
    JsonNode error = openAiError(fx.post("/chat/completions", "{\"model\": \"chat\",\n \"messages\": [}"), 400);
    assertThat(error.path("code").asString()).isEqualTo("invalid_json");
    assertThat(error.path("message").asString()).contains("could not parse the JSON").contains("line 2, column");
  }

  @Test
  void missingMessagesNamesTheParameter() {
    BadRequestException missing = refused(BadRequestException.class, 400, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model("chat").messages(JsonMissing.of()).build()));
    assertThat(missing.param()).contains("messages");
    assertThat(missing.code()).contains("missing_required_parameter");
    assertThat(missing.getMessage()).contains("'messages'");

    BadRequestException empty = refused(BadRequestException.class, 400, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model("chat").messages(List.of()).build()));
    assertThat(empty.param()).contains("messages");
    assertThat(empty.code()).contains("empty_array");
  }

  @Test
  void unknownModelIsNotFoundAndListsWhatExists() {
    NotFoundException e = refused(NotFoundException.class, 404, () -> client.chat().completions()
        .create(ask("gpt-nope", "hi").build()));
    assertThat(e.code()).contains("model_not_found");
    assertThat(e.param()).contains("model");
    assertThat(e.getMessage()).contains("'gpt-nope'").contains("Available models: chat, sim-small, embed");
  }

  @Test
  void missingOrWrongKeyIsUnauthorized() {
    OpenAIClient noKey = fx.client(OpenAIOkHttpClient.builder().apiKey("unused")
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().removeHeader("Authorization").build())));
    UnauthorizedException missing = refused(UnauthorizedException.class, 401, () -> noKey.chat().completions()
        .create(ask("chat", "hi").build()));
    assertThat(missing.code()).contains("missing_api_key");
    assertThat(missing.getMessage()).contains("Authorization: Bearer");

    String wrongKey = "sk-not-the-master-key-42";
    UnauthorizedException wrong = refused(UnauthorizedException.class, 401, () -> fx.client(wrongKey).chat()
        .completions().create(ask("chat", "hi").build()));
    assertThat(wrong.code()).contains("invalid_api_key");
    assertThat(wrong.getMessage()).contains("Incorrect API key").doesNotContain(wrongKey);

    String id = wrong.headers().values("x-request-id").getFirst();
    ExchangeRecord record = fx.exchange(id);
    assertThat(record.outcome()).isEqualTo("rejected");
    assertThat(record.provider()).as("never routed").isNull();
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "x".repeat((int) GatewayFixture.BODY_LIMIT + 1024);
    UnexpectedStatusCodeException e = refused(UnexpectedStatusCodeException.class, 413, () -> client.chat()
        .completions().create(ask("chat", big).build()));
    assertThat(e.code()).contains("request_too_large");
    assertThat(e.getMessage()).contains("limit of " + GatewayFixture.BODY_LIMIT + " bytes").contains("server.body_limit");
  }

  @Test
  void chunkedBodyOverTheLimitIs413() {
    // No Content-Length: the limit is enforced while reading.
    byte[] big = ("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + "x".repeat((int) GatewayFixture.BODY_LIMIT) + "\"}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> r = fx.send(HttpRequest.newBuilder(fx.uri("/chat/completions"))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
        .header("content-type", "application/json").header("authorization", "Bearer " + GatewayFixture.MASTER_KEY)
        .build());
    assertThat(openAiError(r, 413).path("code").asString()).isEqualTo("request_too_large");
  }

  @Test
  void wrongContentTypeIs415() {
    JsonNode error = openAiError(fx.post("/chat/completions",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "text/plain"), 415);
    assertThat(error.path("code").asString()).isEqualTo("unsupported_media_type");
    assertThat(error.path("message").asString()).contains("'text/plain'").contains("Content-Type: application/json");
  }

  @Test
  void unknownPathSaysWhereToPointTheSdk() {
    HttpResponse<String> r = fx.send(HttpRequest.newBuilder(fx.uri("/chat/completion")).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("authorization", "Bearer " + GatewayFixture.MASTER_KEY)
        .build());
    JsonNode error = openAiError(r, 404);
    assertThat(error.path("message").asString()).contains("POST /v1/chat/completion").contains("/v1/chat/completions");
  }
}
