package dev.switchboard.stream.eventstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class EventStreamMessageTest {
  @Test
  void anEventCarriesTheThreeHeadersBedrockSends() {
    EventStreamMessage m = EventStreamMessage.event("messageStart", "{\"role\":\"assistant\"}");
    assertThat(m.headerNames()).containsExactly(":message-type", ":event-type", ":content-type");
    assertThat(m.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("event");
    assertThat(m.stringHeader(EventStreamMessage.EVENT_TYPE)).isEqualTo("messageStart");
    assertThat(m.stringHeader(EventStreamMessage.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(m.payloadAsString()).isEqualTo("{\"role\":\"assistant\"}");
    assertThat(EventStreamMessage.event("messageStart", "{\"role\":\"assistant\"}".getBytes(UTF_8))).isEqualTo(m);
  }

  @Test
  void anExceptionCarriesItsCamelCaseTypeAndAJsonMessage() {
    String text = "Rate \"exceeded\"\n\u00e9\u6f22 \u0001 </script>";
    EventStreamMessage m = EventStreamMessage.exceptionWithMessage("throttlingException", text);
    assertThat(m.headerNames()).containsExactly(":message-type", ":exception-type", ":content-type");
    assertThat(m.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("exception");
    assertThat(m.stringHeader(EventStreamMessage.EXCEPTION_TYPE)).isEqualTo("throttlingException");
    assertThat(m.stringHeader(EventStreamMessage.CONTENT_TYPE)).isEqualTo("application/json");

    JsonNode payload = Json.MAPPER.readTree(m.payloadAsString());
    assertThat(payload.properties()).hasSize(1);
    assertThat(payload.get("message").asString()).isEqualTo(text);

    String json = "{\"message\":\"boom\",\"originalStatusCode\":500}";
    assertThat(EventStreamMessage.exception("modelStreamErrorException", json).payloadAsString()).isEqualTo(json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ThrottlingException", "", "1abc", "_x"})
  void anExceptionTypeMustBeTheCamelCaseMemberName(String type) {
    assertThatThrownBy(() -> EventStreamMessage.exceptionWithMessage(type, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exception type : '" + type + "'")
        .hasMessageContaining("camelCase");
    assertThatThrownBy(() -> EventStreamMessage.exception(type, "{}")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnmodelledErrorHasCodeAndMessageHeadersAndNoPayload() {
    EventStreamMessage m = EventStreamMessage.error("InternalFailure", "it broke");
    assertThat(m.headerNames()).containsExactly(":message-type", ":error-code", ":error-message");
    assertThat(m.stringHeader(EventStreamMessage.MESSAGE_TYPE)).isEqualTo("error");
    assertThat(m.stringHeader(EventStreamMessage.ERROR_CODE)).isEqualTo("InternalFailure");
    assertThat(m.stringHeader(EventStreamMessage.ERROR_MESSAGE)).isEqualTo("it broke");
    assertThat(m.payloadLength()).isZero();
  }

  @Test
  void headerNamesAreOneTo127BytesAndUnique() {
    EventStreamMessage.builder().header("n".repeat(127), "v").build();
    EventStreamMessage.builder().header("\u00e9".repeat(63) + "n", "v").build(); // 127 bytes in UTF-8
    assertThatThrownBy(() -> EventStreamMessage.builder().header("n".repeat(128), "v"))
        .hasMessage("header name : '" + "n".repeat(128) + "' is 128 UTF-8 bytes (expected: 1..127)");
    assertThatThrownBy(() -> EventStreamMessage.builder().header("\u00e9".repeat(64), "v"))
        .hasMessageContaining("is 128 UTF-8 bytes");
    assertThatThrownBy(() -> EventStreamMessage.builder().header("", 1))
        .hasMessage("header name : '' is 0 UTF-8 bytes (expected: 1..127)");
    assertThatThrownBy(() -> EventStreamMessage.builder().header(":event-type", "a").header(":event-type", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name : ':event-type' (expected: each name once)");
  }

  @Test
  void stringAndByteArrayValuesAreOneTo32767Bytes() {
    EventStreamMessage.builder().header("s", "v".repeat(32767)).header("b", new byte[32767]).build();
    assertThatThrownBy(() -> EventStreamMessage.builder().header("s", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("header 's' : string of 0 bytes (expected: 1..32767;");
    assertThatThrownBy(() -> EventStreamMessage.builder().header("s", "\u00e9".repeat(16384)))
        .hasMessageStartingWith("header 's' : string of 32768 bytes (expected: 1..32767;");
    assertThatThrownBy(() -> EventStreamMessage.builder().header("b", new byte[0]))
        .hasMessageStartingWith("header 'b' : byte array of 0 bytes");
    assertThatThrownBy(() -> EventStreamMessage.builder().header("b", new byte[32768]))
        .hasMessageStartingWith("header 'b' : byte array of 32768 bytes");
    assertThatThrownBy(() -> EventStreamMessage.error("code", ""))
        .hasMessageStartingWith("header ':error-message' : string of 0 bytes");
  }

  @Test
  void theHeaderBlockIsAtMost128KiB() {
    EventStreamMessage.Builder b = EventStreamMessage.builder().header("a", new byte[32767])
        .header("b", new byte[32767]).header("c", new byte[32767]);
    assertThatThrownBy(() -> b.header("d", new byte[32767 - 15]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("headers : 131073 bytes with header 'd' (expected: at most 131072)");
    assertThat(b.header("d", new byte[32767 - 16]).build().headerLength()).isEqualTo(131072);
  }

  @Test
  void theFrameIsAtMost16MiB() {
    int room = 16 * 1024 * 1024 - 16 - (1 + 1 + 1 + 2 + 1);
    EventStreamMessage.builder().header("k", "v").payload(new byte[room]).build();
    assertThatThrownBy(() -> EventStreamMessage.builder().header("k", "v").payload(new byte[room + 1]).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("frame : 16777217 bytes with a " + (room + 1) + "-byte payload (expected: at most 16777216)");
  }

  @Test
  void timestampsKeepMillisecondsOnly() {
    Instant fine = Instant.parse("2025-01-02T03:04:05.123456789Z");
    EventStreamMessage m = EventStreamMessage.builder().header("ts", fine).build();
    assertThat(m.header("ts")).isEqualTo(Instant.parse("2025-01-02T03:04:05.123Z"));
    assertThat(new Frames.Collector().feed(EventStreamEncoder.encode(m).getBytes()).messages).containsExactly(m);
    assertThatThrownBy(() -> EventStreamMessage.builder().header("ts", Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("header 'ts' : ");
  }

  @Test
  void nothingPassedInOrHandedOutCanChangeTheMessage() {
    byte[] value = {1, 2};
    byte[] payload = {3, 4};
    Buffer payloadBuffer = Buffer.buffer(new byte[] {5});
    EventStreamMessage m = EventStreamMessage.builder().header("b", value).payload(payload).build();
    EventStreamMessage fromBuffer = EventStreamMessage.builder().payload(payloadBuffer).build();
    value[0] = 9;
    payload[0] = 9;
    payloadBuffer.setByte(0, (byte) 9);
    ((byte[]) m.header("b"))[1] = 9;
    m.payloadBytes()[1] = 9;
    m.payload().setByte(0, (byte) 9);
    assertThat(m.header("b")).isEqualTo(new byte[] {1, 2});
    assertThat(m.payloadBytes()).isEqualTo(new byte[] {3, 4});
    assertThat(fromBuffer.payloadBytes()).isEqualTo(new byte[] {5});
    assertThatThrownBy(() -> m.headerNames().set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBuilderCanBuildAgainAndKeepsGoing() {
    EventStreamMessage.Builder b = EventStreamMessage.builder().header("a", 1);
    EventStreamMessage first = b.build();
    EventStreamMessage second = b.header("b", 2L).build();
    assertThat(first.headerNames()).containsExactly("a");
    assertThat(second.headerNames()).containsExactly("a", "b");
    assertThat(second.header("b")).isEqualTo(2L);
  }

  @Test
  void lookupsOfAbsentOrDifferentlyTypedHeaders() {
    EventStreamMessage m = EventStreamMessage.builder().header("n", 7).build();
    assertThat(m.header("missing")).isNull();
    assertThat(m.stringHeader("missing")).isNull();
    assertThatThrownBy(() -> m.stringHeader("n"))
        .isInstanceOf(IllegalStateException.class).hasMessage("header 'n' is Integer, not String");
  }

  @Test
  void equalityIsByHeadersAndPayloadAndToStringLeavesThePayloadOut() {
    EventStreamMessage a = Frames.allTypes("{\"secret\":1}");
    EventStreamMessage b = Frames.allTypes("{\"secret\":1}");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Frames.allTypes("{\"secret\":2}"));
    assertThat(a).isNotEqualTo(EventStreamMessage.builder().header("t", false).payload("{\"secret\":1}").build());
    assertThat(EventStreamMessage.event("x", "{}").toString())
        .isEqualTo("EventStreamMessage[:message-type=event, :event-type=x, :content-type=application/json,"
            + " payload 2 bytes]");
    assertThat(a.toString()).doesNotContain("secret").contains("ba=byte[2]");
  }
}
