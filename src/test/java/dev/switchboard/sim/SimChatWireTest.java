package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The spliced token events are the JSON a generator would write, escapes included. */
final class SimChatWireTest {
  @Test
  void pieceEventsAreWellFormedChunks() {
    ChatAnswer.Choice text = new ChatAnswer.Choice(1, "x", List.of(), List.of(), 1, "stop", null);
    ChatAnswer.Choice call = new ChatAnswer.Choice(0, null,
        List.of(new ChatAnswer.ToolCall("call_1", "f", "{}", true, 0)), List.of(), 1, "tool_calls", null);
    for (boolean usage : new boolean[] {false, true}) {
      ChatWire wire = new ChatWire("chatcmpl-x", 1234, "m\"odel", usage);
      Buffer out = Buffer.buffer();
      wire.piece(out, text, 0, "a \"quoted\"\n\\ 日本 🎉");
      wire.piece(out, call, 0, "{\"k\":");
      String[] events = out.toString().split("\n\n");
      assertThat(events).hasSize(2);
      JsonNode t = Json.MAPPER.readTree(events[0].substring("data: ".length()));
      assertThat(t.get("id").asString()).isEqualTo("chatcmpl-x");
      assertThat(t.get("object").asString()).isEqualTo("chat.completion.chunk");
      assertThat(t.get("created").asLong()).isEqualTo(1234);
      assertThat(t.get("model").asString()).isEqualTo("m\"odel");
      assertThat(t.at("/choices/0/index").asInt()).isEqualTo(1);
      assertThat(t.at("/choices/0/delta/content").asString()).isEqualTo("a \"quoted\"\n\\ 日本 🎉");
      assertThat(t.at("/choices/0/finish_reason").isNull()).isTrue();
      assertThat(t.has("usage")).isEqualTo(usage);
      JsonNode c = Json.MAPPER.readTree(events[1].substring("data: ".length()));
      assertThat(c.at("/choices/0/delta/tool_calls/0/index").asInt()).isZero();
      assertThat(c.at("/choices/0/delta/tool_calls/0/function/arguments").asString()).isEqualTo("{\"k\":");
      assertThat(c.at("/choices/0/delta/tool_calls/0/id").isMissingNode()).isTrue();
    }
  }
}
