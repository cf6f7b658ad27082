package dev.switchboard.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.eventstream.EventStreamDecoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BedrockInvokeStreamEncoderTest {
  /** The invocation's clock in milliseconds, advanced by the test. */
  private long now;
  private final BedrockInvokeStreamEncoder encoder = new BedrockInvokeStreamEncoder("anthropic.claude-x", () -> now);

  private List<EventStreamMessage> frames(StreamEvent event) {
    List<EventStreamMessage> out = new ArrayList<>();
    new EventStreamDecoder(out::add).feed(encoder.encode(event));
    return out;
  }

  /** The Anthropic event inside a chunk frame. */
  private static JsonNode chunk(EventStreamMessage m) {
    assertThat(m.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("event");
    assertThat(m.stringHeader(EventStreamMessage.EVENT_TYPE)).isEqualTo("chunk");
    JsonNode payload = Json.MAPPER.readTree(m.payloadBytes());
    assertThat(payload.propertyNames()).containsExactly("bytes");
    return Json.MAPPER.readTree(new String(Base64.getDecoder().decode(payload.path("bytes").asString()),
        StandardCharsets.UTF_8));
  }

  @Test
  void eachAnthropicEventIsOneChunkAndMessageStopCarriesTheMetrics() {
    now = 40;
    List<EventStreamMessage> start = frames(new StreamEvent.MessageStart("msg_1", "up", null));
    now = 55;
    List<EventStreamMessage> block = frames(new StreamEvent.BlockStart(0, BlockKind.TEXT, null, null));
    frames(new StreamEvent.TextDelta(0, "Hi"));
    assertThat(frames(new StreamEvent.Ping())).as("Bedrock sends no pings").isEmpty();
    frames(new StreamEvent.BlockStop(0));
    // Canonical input counts the cache; Bedrock's, like Anthropic's, does not.
    frames(new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(120, 7, 100, 0, 0, false)));
    now = 900;
    List<EventStreamMessage> stop = frames(new StreamEvent.MessageStop());

    assertThat(chunk(start.getFirst()).path("message").path("model").asString()).isEqualTo("anthropic.claude-x");
    assertThat(chunk(block.getFirst()).path("type").asString()).isEqualTo("content_block_start");
    assertThat(stop).hasSize(1);
    assertThat(chunk(stop.getFirst())).isEqualTo(Json.MAPPER.readTree("""
        {"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":20,"outputTokenCount":7,
         "invocationLatency":900,"firstByteLatency":40,"cacheReadInputTokenCount":100}}"""));
  }

  @Test
  void aFailureIsAnExceptionFrameAndATimeoutKeepsItsType() {
    frames(new StreamEvent.MessageStart("msg_1", "up", null));
    EventStreamMessage timeout = frames(new StreamEvent.Failure(GatewayError.of(504, GatewayError.Kind.TIMEOUT,
        "idle timeout", null))).getFirst();
    assertThat(timeout.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("exception");
    assertThat(timeout.stringHeader(EventStreamMessage.EXCEPTION_TYPE)).isEqualTo("modelTimeoutException");
    assertThat(Json.MAPPER.readTree(timeout.payloadBytes()).path("message").asString()).isEqualTo("idle timeout");

    EventStreamMessage broken = frames(new StreamEvent.Failure(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "cut", null))).getFirst();
    assertThat(broken.stringHeader(EventStreamMessage.EXCEPTION_TYPE)).isEqualTo("internalServerException");
  }

  @Test
  void converseStreamsHaveNoTimeoutMember() {
    Buffer frame = BedrockErrorFormat.INSTANCE.streamEvent(GatewayError.of(504, GatewayError.Kind.TIMEOUT, "t", null));
    List<EventStreamMessage> out = new ArrayList<>();
    new EventStreamDecoder(out::add).feed(frame);
    assertThat(out.getFirst().stringHeader(EventStreamMessage.EXCEPTION_TYPE)).isEqualTo("modelStreamErrorException");
  }
}
