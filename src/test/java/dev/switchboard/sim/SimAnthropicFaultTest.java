package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.switchboard.util.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Anthropic errors and every fault kind, seen through the official SDK (or a raw socket), and in the ledger. */
final class SimAnthropicFaultTest {
  private static final String VERSION = "anthropic-version: 2023-06-01\r\n";
  static SimFixture fx;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("a", "r1", 1),
        // 500 tokens at 50/s: ten seconds of stream, so a hang-up surely lands in the middle
        new SimDeploymentSpec("slow", "r1", SimFixture.MODELS, 0, Duration.ZERO, 50, 500, 1));
    client = fx.anthropic("a");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void clearFaults() {
    for (SimDeployment d : fx.sim.deployments()) fx.sim.setFault(d.name(), null);
  }

  private static MessageCreateParams ask(String text, String requestId) {
    return MessageCreateParams.builder().model("sim-large").maxTokens(256).addUserMessage(text)
        .putAdditionalHeader("x-request-id", requestId).build();
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  /** The body is Anthropic's error shape and repeats the {@code request-id} header. */
  private static void assertShape(AnthropicServiceException e, ErrorType type, String requestId) {
    assertThat(e.type()).contains(type);
    assertThat(e.requestId()).contains(requestId);
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(ObjectMappers.jsonMapper().writeValueAsString(e.body()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
    assertThat(body.propertyNames()).containsExactly("type", "error", "request_id");
    assertThat(body.get("type").asString()).isEqualTo("error");
    assertThat(body.get("request_id").asString()).isEqualTo(requestId);
    assertThat(body.get("error").propertyNames()).containsExactly("type", "message");
  }

  @Test
  void unknownModelIsNotFound() throws Exception {
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("nope").maxTokens(10)
        .addUserMessage("hi").putAdditionalHeader("x-request-id", "e-404").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertShape(e, ErrorType.NOT_FOUND_ERROR, "e-404");
          assertThat(e.apiMessage()).contains("model: nope");
        });
    assertThat(ledger("e-404").outcome()).isEqualTo("error:404");
  }

  @Test
  void missingKeyIsUnauthorizedAndXApiKeyIsAccepted() {
    // An explicit x-api-key keeps the SDK from adding its Authorization header; an empty one is no key at all.
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("sim-large").maxTokens(10)
        .addUserMessage("hi").putAdditionalHeader("x-api-key", "").putAdditionalHeader("x-request-id", "e-401")
        .build()))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertShape(e, ErrorType.AUTHENTICATION_ERROR,
            "e-401"));
    assertThat(client.messages().create(MessageCreateParams.builder().model("sim-large").maxTokens(10)
        .addUserMessage("count to 2").putAdditionalHeader("x-api-key", "other").build())
        .content().getFirst().asText().text()).isEqualTo("1 2");
  }

  @Test
  void versionHeaderIsRequiredAndChecked() {
    String url = fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages";
    String body = "{\"model\":\"sim-large\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> none = fx.post(url, body, "x-api-key", "k");
    assertThat(none.statusCode()).isEqualTo(400);
    JsonNode err = Json.MAPPER.readTree(none.body());
    assertThat(err.at("/type").asString()).isEqualTo("error");
    assertThat(err.at("/error/type").asString()).isEqualTo("invalid_request_error");
    assertThat(err.at("/error/message").asString()).contains("anthropic-version");
    assertThat(err.at("/request_id").asString()).isEqualTo(none.headers().firstValue("request-id").orElseThrow());

    assertThat(fx.post(url, body, "x-api-key", "k", "anthropic-version", "2099-01-01").statusCode()).isEqualTo(400);
    // 2026-10-21 dropped the sampling parameters; 2023-06-01 still takes them
    String hot = body.replace("{\"model\"", "{\"temperature\":0.5,\"model\"");
    assertThat(fx.post(url, hot, "x-api-key", "k", "anthropic-version", "2026-10-21").statusCode()).isEqualTo(400);
    assertThat(fx.post(url, hot, "x-api-key", "k", "anthropic-version", "2023-06-01").statusCode()).isEqualTo(200);
  }

  @Test
  void invalidRequestsAreBadRequests() {
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("sim-large").maxTokens(10)
        .addUserMessage("hi").putAdditionalBodyProperty("n", JsonValue.from(2)).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.type()).contains(ErrorType.INVALID_REQUEST_ERROR);
          assertThat(e.apiMessage()).contains("n: Extra inputs are not permitted");
        });
    String url = fx.sim.deployment("a").anthropicBaseUrl() + "/v1/messages";
    HttpResponse<String> noMax = fx.post(url, "{\"model\":\"sim-large\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}", "x-api-key", "k", "anthropic-version", "2023-06-01");
    assertThat(noMax.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(noMax.body()).at("/error/message").asString())
        .isEqualTo("max_tokens: Field required");
    HttpResponse<String> badBlock = fx.post(url, "{\"model\":\"sim-large\",\"max_tokens\":5,\"messages\":[{\"role\":"
        + "\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}",
        "x-api-key", "k", "anthropic-version", "2023-06-01");
    assertThat(Json.MAPPER.readTree(badBlock.body()).at("/error/message").asString())
        .startsWith("messages.0.content.0.type: Input tag 'image_url'");
    assertThat(fx.post(url, "{not json", "x-api-key", "k", "anthropic-version", "2023-06-01").statusCode())
        .isEqualTo(400);
  }

  @Test
  void statusFaults() throws Exception {
    fx.sim.setFault("a", Fault.status429(7));
    assertThatThrownBy(() -> client.messages().create(ask("hi", "f-429")))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertShape(e, ErrorType.RATE_LIMIT_ERROR, "f-429");
          assertThat(e.headers().values("retry-after")).containsExactly("7");
        });
    LedgerEntry e429 = ledger("f-429");
    assertThat(e429.outcome()).isEqualTo("fault:status");
    assertThat(e429.endpoint()).isEqualTo("messages");

    fx.sim.setFault("a", Fault.status(500));
    assertThatThrownBy(() -> client.messages().create(ask("hi", "f-500")))
        .isInstanceOfSatisfying(InternalServerException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(500);
          assertShape(e, ErrorType.API_ERROR, "f-500");
        });
    fx.sim.setFault("a", Fault.status(503));
    assertThatThrownBy(() -> client.messages().create(ask("hi", "f-503")))
        .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> assertShape(e, ErrorType.OVERLOADED_ERROR,
            "f-503"));
    fx.sim.setFault("a", Fault.status(529));
    assertThatThrownBy(() -> client.messages().create(ask("hi", "f-529")))
        .isInstanceOfSatisfying(OverloadedException.class, e -> assertShape(e, ErrorType.OVERLOADED_ERROR, "f-529"));

    // listings are not affected by faults
    assertThat(client.models().list().data()).hasSize(3);
  }

  @Test
  void cutStreamThrowsAfterTheGivenDeltas() throws Exception {
    fx.sim.setFault("a", Fault.cut(3));
    List<String> pieces = new ArrayList<>();
    List<String> types = new ArrayList<>();
    assertThatThrownBy(() -> {
      try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask("count to 9", "f-cut"))) {
        s.stream().forEach(e -> {
          types.add(SimAnthropicStreamingTest.type(e));
          if (e.isContentBlockDelta()) pieces.add(e.asContentBlockDelta().delta().asText().text());
        });
      }
    }).isInstanceOf(AnthropicIoException.class);
    assertThat(pieces).containsExactly("1", " ", "2");
    assertThat(types).doesNotContain("message_stop", "message_delta");
    LedgerEntry e = ledger("f-cut");
    assertThat(e.outcome()).isEqualTo("cut");
    assertThat(e.completionTokens()).isEqualTo(3);
    assertThat(e.stream()).isTrue();
  }

  @Test
  void cutBodyAndReset() throws Exception {
    fx.sim.setFault("a", Fault.cut(0));
    assertThatThrownBy(() -> client.messages().create(ask("count to 9", "f-cut-body")))
        .isInstanceOf(com.anthropic.errors.AnthropicException.class);
    assertThat(ledger("f-cut-body").outcome()).isEqualTo("cut");

    fx.sim.setFault("a", Fault.reset());
    assertThatThrownBy(() -> client.messages().create(ask("hi", "f-reset"))).isInstanceOf(AnthropicIoException.class);
    assertThat(ledger("f-reset").outcome()).isEqualTo("fault:reset");
  }

  @Test
  void slowFirstByteDelaysTheHead() {
    fx.sim.setFault("a", Fault.slowFirstByte(Duration.ofMillis(80)));
    long t0 = System.nanoTime();
    assertThat(client.messages().create(ask("count to 2", "f-slow")).content().getFirst().asText().text())
        .isEqualTo("1 2");
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(80);
  }

  @Test
  void hangUpMidStreamIsCancelledWithTheTokensSent() throws Exception {
    try (RawHttp h = new RawHttp(fx.sim.deployment("slow").port(), "/v1/messages", "a-cancel-mid",
        "{\"model\":\"sim-large\",\"max_tokens\":1000,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", VERSION)) {
      assertThat(h.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      h.readLinesContaining("\"text_delta\"", 3);
    }
    LedgerEntry e = ledger("a-cancel-mid");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.endpoint()).isEqualTo("messages");
    assertThat(e.completionTokens()).isBetween(3, 499);
    assertThat(e.promptTokens()).isEqualTo(Tokens.count("go") + 6);
  }

  @Test
  void closingTheSdkStreamEarlyIsCancelled() throws Exception {
    AnthropicClient slow = fx.anthropic("slow");
    try (StreamResponse<RawMessageStreamEvent> s = slow.messages().createStreaming(MessageCreateParams.builder()
        .model("sim-large").maxTokens(1000).addUserMessage("go").putAdditionalHeader("x-request-id", "a-sdk-close")
        .build())) {
      assertThat(s.stream().filter(RawMessageStreamEvent::isContentBlockDelta).limit(2).count()).isEqualTo(2);
    } // closing an unfinished stream drops the connection
    LedgerEntry e = ledger("a-sdk-close");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.completionTokens()).isBetween(2, 499);
  }

  @Test
  void hangUpOnAHangingDeploymentIsCancelled() throws Exception {
    fx.sim.setFault("a", Fault.hang());
    try (RawHttp h = new RawHttp(fx.sim.deployment("a").port(), "/v1/messages", "a-hang",
        "{\"model\":\"sim-large\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", VERSION)) {
      // hang up without waiting for an answer that will never come
    }
    LedgerEntry e = ledger("a-hang");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.endpoint()).isEqualTo("messages");
  }
}
