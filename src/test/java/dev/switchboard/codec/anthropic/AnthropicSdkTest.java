package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicStreamEncoderTest.RICH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.ContentTooLargeException;
import com.anthropic.errors.GatewayTimeoutException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Metadata;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.ThinkingBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAuto;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.canonical.CacheMarker;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ReasoningConfig;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.ToolChoice;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import io.vertx.core.buffer.Buffer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK (3.14.0) against a throwaway local HTTP server that answers with our
 * encodings: the SDK's requests decode, and our answers, streams and errors are what the SDK expects.
 */
class AnthropicSdkTest {
  private static HttpServer server;
  private static AnthropicClient client;
  private static volatile int status;
  private static volatile String contentType;
  private static volatile byte[] answer;
  private static volatile byte[] lastBody;
  private static volatile String lastVersion;

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      lastBody = exchange.getRequestBody().readAllBytes();
      lastVersion = exchange.getRequestHeaders().getFirst("anthropic-version");
      exchange.getResponseHeaders().add("content-type", contentType);
      exchange.getResponseHeaders().add("request-id", "req_test");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.start();
    client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
        .apiKey("sk-test").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.stop(0);
  }

  static void answer(int s, String type, Buffer body) {
    status = s;
    contentType = type;
    answer = body.getBytes();
  }

  static MessageCreateParams richParams() {
    return MessageCreateParams.builder()
        .model("claude-sonnet-4-5")
        .maxTokens(4096)
        .system("Be brief.")
        .addSystemMessage("Answer in French.")
        .addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofText(TextBlockParam.builder().text("Weather in this city?")
                .cacheControl(CacheControlEphemeral.builder().ttl(CacheControlEphemeral.Ttl.TTL_1H).build()).build()),
            ContentBlockParam.ofImage(ImageBlockParam.builder().source(Base64ImageSource.builder()
                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).data("iVBORw0KGgo=").build()).build())))
        .addAssistantMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofThinking(ThinkingBlockParam.builder().thinking("A tool.").signature("sig-1").build()),
            ContentBlockParam.ofToolUse(ToolUseBlockParam.builder().id("toolu_1").name("get_weather")
                .input(ToolUseBlockParam.Input.builder().putAdditionalProperty("city", JsonValue.from("Paris")).build())
                .build())))
        .addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId("toolu_1").content("18°C").build())))
        .addTool(Tool.builder().name("get_weather").description("Weather by city")
            .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build()).build())
            .build())
        .toolChoice(ToolChoiceAuto.builder().disableParallelToolUse(true).build())
        .enabledThinking(2048)
        .metadata(Metadata.builder().userId("u-1").build())
        .build();
  }

  @Test
  void aRequestTheSdkBuildsDecodesAndOurAnswerParsesAndValidates() {
    answer(200, "application/json", AnthropicCodec.encodeResponse(RICH, "claude-sonnet-4-5"));
    Message m = client.messages().create(richParams());
    m.validate();
    assertThat(m).isEqualTo(AnthropicResponseTest.sdkMessage(AnthropicCodec.encodeResponse(RICH, "claude-sonnet-4-5")));
    assertThat(m.content()).hasSize(5);
    assertThat(m.content().get(4).asToolUse().id()).matches("[a-zA-Z0-9_-]+");

    // What the SDK sent, through our decoder.
    assertThat(lastVersion).isEqualTo(AnthropicCodec.VERSION_2026_10_21);
    AnthropicCodec.Decoded d = AnthropicCodec.decodeRequest(Buffer.buffer(lastBody), lastVersion);
    assertThat(d.dropped()).isEmpty();
    ChatRequest r = d.request();
    assertThat(r.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(r.maxOutputTokens()).isEqualTo(4096);
    assertThat(r.system()).containsExactly(Part.Text.of("Be brief."), Part.Text.of("Answer in French."));
    assertThat(r.messages()).containsExactly(
        new dev.switchboard.canonical.Message(Role.USER, List.of(
            new Part.Text("Weather in this city?", new CacheMarker("1h")),
            new Part.Image("image/png", "iVBORw0KGgo=", null, null))),
        new dev.switchboard.canonical.Message(Role.ASSISTANT, List.of(
            new Part.Reasoning("A tool.", "sig-1"),
            new Part.ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}", null))),
        new dev.switchboard.canonical.Message(Role.USER, List.of(
            new Part.ToolResult("toolu_1", null, List.of(Part.Text.of("18°C")), false, null))));
    assertThat(r.tools()).singleElement().satisfies(t -> {
      assertThat(t.name()).isEqualTo("get_weather");
      assertThat(AnthropicTestSupport.tree(t.inputSchema()))
          .isEqualTo(AnthropicTestSupport.tree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
    });
    assertThat(r.toolChoice()).isEqualTo(ToolChoice.AUTO);
    assertThat(r.parallelToolCalls()).isFalse();
    assertThat(r.reasoning()).isEqualTo(new ReasoningConfig(null, 2048));
    assertThat(r.metadata()).isEqualTo(Map.of("user_id", "u-1"));
    assertThat(r.stream()).isFalse();
  }

  @Test
  void theSdkStreamsOurEventsIntoTheSameMessage() {
    Buffer sse = Buffer.buffer();
    AnthropicStreamEncoder enc = new AnthropicStreamEncoder("claude-sonnet-4-5");
    for (StreamEvent e : AnthropicTestSupport.streamOf(RICH, 5)) sse.appendBuffer(enc.encode(e));
    answer(200, "text/event-stream", sse);
    MessageAccumulator acc = MessageAccumulator.create();
    int events = 0;
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(richParams())) {
      for (RawMessageStreamEvent e : (Iterable<RawMessageStreamEvent>) stream.stream()::iterator) {
        e.validate();
        acc.accumulate(e);
        events++;
      }
    }
    assertThat(events).isGreaterThan(10);
    Message m = acc.message();
    m.validate();
    assertThat(m).isEqualTo(AnthropicResponseTest.sdkMessage(AnthropicCodec.encodeResponse(RICH, "claude-sonnet-4-5")));
    assertThat(AnthropicCodec.decodeRequest(Buffer.buffer(lastBody), lastVersion).request().stream()).isTrue();
  }

  @Test
  void anInStreamErrorMakesTheSdkThrowWithItsType() {
    AnthropicStreamEncoder enc = new AnthropicStreamEncoder("m");
    Buffer sse = enc.encode(new StreamEvent.MessageStart("msg_1", "m", null))
        .appendBuffer(enc.encode(new StreamEvent.Failure(GatewayError.of(529, Kind.UNAVAILABLE, "Overloaded", null))));
    answer(200, "text/event-stream", sse);
    SseException e = catchThrowableOfType(SseException.class, () -> {
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(richParams())) {
        stream.stream().forEach(x -> { });
      }
    });
    assertThat(e).isNotNull();
    assertThat(e.type().orElseThrow().asString()).isEqualTo("overloaded_error");
    assertThat(e.apiMessage()).contains("Overloaded");
  }

  @Test
  void ourErrorBodiesBecomeTheSdksExceptionsWithTypeAndMessage() {
    record Case(GatewayError error, Class<? extends AnthropicServiceException> thrown, String type) {}
    List<Case> cases = List.of(
        new Case(GatewayError.invalid("max_tokens: Field required", "max_tokens", null), BadRequestException.class,
            "invalid_request_error"),
        new Case(GatewayError.of(401, Kind.AUTHENTICATION, "invalid x-api-key", null), UnauthorizedException.class,
            "authentication_error"),
        new Case(GatewayError.of(403, Kind.PERMISSION, "not allowed", null), PermissionDeniedException.class,
            "permission_error"),
        new Case(GatewayError.of(404, Kind.NOT_FOUND, "model: nope", null), NotFoundException.class, "not_found_error"),
        new Case(GatewayError.of(413, Kind.TOO_LARGE, "too big", null), ContentTooLargeException.class,
            "request_too_large"),
        new Case(GatewayError.of(429, Kind.RATE_LIMIT, "slow down", null), RateLimitException.class, "rate_limit_error"),
        new Case(GatewayError.of(500, Kind.INTERNAL, "oops", null), InternalServerException.class, "api_error"),
        new Case(GatewayError.of(503, Kind.UNAVAILABLE, "no deployment", null), ServiceUnavailableException.class,
            "overloaded_error"),
        new Case(GatewayError.of(504, Kind.TIMEOUT, "too slow", null), GatewayTimeoutException.class, "timeout_error"),
        new Case(GatewayError.of(529, Kind.UNAVAILABLE, "Overloaded", null), OverloadedException.class,
            "overloaded_error"));
    for (Case c : cases) {
      answer(c.error().status(), "application/json", AnthropicErrorFormat.INSTANCE.body(c.error(), "req_test"));
      AnthropicServiceException e = catchThrowableOfType(AnthropicServiceException.class,
          () -> client.messages().create(richParams()));
      assertThat(e).as("status %d", c.error().status()).isInstanceOf(c.thrown());
      assertThat(e.statusCode()).isEqualTo(c.error().status());
      assertThat(e.type().orElseThrow().asString()).isEqualTo(c.type());
      assertThat(e.apiMessage()).contains(c.error().message());
      assertThat(e.requestId()).contains("req_test");
    }
  }
}
