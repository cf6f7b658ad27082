package dev.switchboard.frontdoor.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.util.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the InvokeModel tests share: the official AWS SDK clients pointed at the gateway (without retries, so a
 * test sees the first answer), Claude bodies, and the official Anthropic SDK's event model as the judge of what
 * comes back (the way Anthropic's own Bedrock client reads these answers).
 */
final class InvokeSupport {
  private InvokeSupport() {}

  static BedrockRuntimeClient syncClient(GatewayFixture fx) {
    return syncClient(fx, GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY);
  }

  static BedrockRuntimeClient syncClient(GatewayFixture fx, String keyId, String secret) {
    return BedrockRuntimeClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fx.gateway().port()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  /** The async client as users get it: Netty, HTTP/2 cleartext with prior knowledge. */
  static BedrockRuntimeAsyncClient asyncClient(GatewayFixture fx) {
    return BedrockRuntimeAsyncClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fx.gateway().port()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(GatewayFixture.MASTER_KEY, GatewayFixture.MASTER_KEY)))
        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
        .build();
  }

  /** A Claude body on Bedrock asking {@code text}, with room for 256 tokens. */
  static ObjectNode claudeBody(String text) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("anthropic_version", "bedrock-2023-05-31");
    body.put("max_tokens", 256);
    ObjectNode user = body.putArray("messages").addObject();
    user.put("role", "user");
    user.put("content", text);
    return body;
  }

  /** {@code get_weather(city)}, as Claude's {@code tools} member. */
  static ObjectNode withWeatherTool(ObjectNode body) {
    ObjectNode tool = body.putArray("tools").addObject();
    tool.put("name", "get_weather");
    tool.put("description", "Current weather in a city");
    ObjectNode schema = tool.putObject("input_schema");
    schema.put("type", "object");
    schema.putObject("properties").putObject("city").put("type", "string");
    schema.putArray("required").add("city");
    return body;
  }

  static SdkBytes bytes(JsonNode body) {
    return SdkBytes.fromUtf8String(body.toString());
  }

  static InvokeModelResponse invoke(BedrockRuntimeClient client, String modelId, JsonNode body) {
    return client.invokeModel(b -> b.modelId(modelId).contentType("application/json").accept("application/json")
        .body(bytes(body)));
  }

  /** The answer's body read by the Anthropic SDK, which validates every member it requires. */
  static Message message(InvokeModelResponse r) {
    Message m = anthropic(r.body().asUtf8String(), Message.class);
    m.validate();
    return m;
  }

  static String text(Message m) {
    StringBuilder b = new StringBuilder();
    for (ContentBlock block : m.content()) block.text().ifPresent(t -> b.append(t.text()));
    return b.toString();
  }

  /**
   * One InvokeModelWithResponseStream call as the SDK delivers it.
   *
   * @param events each chunk's bytes, decoded: one Anthropic stream event each
   * @param message what the Anthropic SDK's accumulator builds from the events
   */
  record Streamed(InvokeModelWithResponseStreamResponse response, List<JsonNode> events, Message message) {
    JsonNode last() {
      return events.getLast();
    }

    List<String> types() {
      return events.stream().map(e -> e.path("type").asString()).toList();
    }
  }

  /**
   * Streams {@code body} and collects the chunks. Throws what the SDK failed with (a Bedrock exception); {@code
   * before} receives every event decoded before a failure.
   */
  static Streamed stream(BedrockRuntimeAsyncClient client, String modelId, JsonNode body, List<JsonNode> before) {
    List<JsonNode> events = before == null ? new CopyOnWriteArrayList<>() : before;
    InvokeModelWithResponseStreamResponse[] head = new InvokeModelWithResponseStreamResponse[1];
    InvokeModelWithResponseStreamResponseHandler handler = InvokeModelWithResponseStreamResponseHandler.builder()
        .onResponse(r -> head[0] = r)
        .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
            .onChunk(c -> events.add(Json.MAPPER.readTree(c.bytes().asUtf8String())))
            .build())
        .build();
    try {
      client.invokeModelWithResponseStream(b -> b.modelId(modelId).contentType("application/json")
          .accept("application/json").body(bytes(body)), handler).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException r) throw r;
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new AssertionError("the stream did not end within 30 s", e);
    }
    return new Streamed(head[0], List.copyOf(events), accumulate(events));
  }

  /**
   * Checks the Anthropic stream grammar (PROTOCOLS.md 2.4) on the decoded events, then accumulates them with the
   * Anthropic SDK: {@code message_start} first; blocks with increasing indexes, each start → deltas → stop; one
   * {@code message_delta}; {@code message_stop} last; no pings.
   */
  static Message accumulate(List<JsonNode> events) {
    assertThat(events).as("events").isNotEmpty();
    assertThat(events.getFirst().path("type").asString()).isEqualTo("message_start");
    assertThat(events.getLast().path("type").asString()).isEqualTo("message_stop");
    int open = -1;
    int next = 0;
    int deltas = 0;
    for (JsonNode e : events.subList(1, events.size() - 1)) {
      String type = e.path("type").asString();
      switch (type) {
        case "content_block_start" -> {
          assertThat(open).as("a block starts only after the previous one stopped").isEqualTo(-1);
          assertThat(e.path("index").asInt()).isEqualTo(next);
          open = next++;
        }
        case "content_block_delta" -> assertThat(e.path("index").asInt()).isEqualTo(open);
        case "content_block_stop" -> {
          assertThat(e.path("index").asInt()).isEqualTo(open);
          open = -1;
        }
        case "message_delta" -> {
          assertThat(open).as("message_delta after every block stopped").isEqualTo(-1);
          deltas++;
        }
        default -> throw new AssertionError("unexpected event in a Bedrock Claude stream: " + e);
      }
    }
    assertThat(deltas).as("message_delta events").isEqualTo(1);
    MessageAccumulator acc = MessageAccumulator.create();
    List<RawMessageStreamEvent> parsed = new ArrayList<>();
    for (JsonNode e : events) {
      RawMessageStreamEvent event = anthropic(e.toString(), RawMessageStreamEvent.class);
      event.validate();
      parsed.add(event);
    }
    parsed.forEach(acc::accumulate);
    Message m = acc.message();
    m.validate();
    return m;
  }

  /** Reads JSON into the Anthropic SDK's model (Jackson 2, which throws checked exceptions). */
  private static <T> T anthropic(String json, Class<T> type) {
    try {
      return ObjectMappers.jsonMapper().readValue(json, type);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
