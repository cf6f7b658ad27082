package dev.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** How a relayed answer is turned into the text the request log keeps. */
class ContentLogTest {
  @Test
  void anOpenAiStreamBecomesItsJoinedText() {
    String sse = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\", world\"}}]}\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\ndata: [DONE]\n\n";
    assertThat(ContentLog.answer(Buffer.buffer(sse), true)).isEqualTo("Hello, world");
  }

  @Test
  void aStreamCutMidEventIsKeptAsSent() {
    String cut = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel";
    assertThat(ContentLog.answer(Buffer.buffer(cut), true)).isEqualTo(cut);
  }

  @Test
  void aWholeBodyIsKeptAsSent() {
    String body = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}";
    assertThat(ContentLog.answer(Buffer.buffer(body), false)).isEqualTo(body);
    assertThat(ContentLog.answer(null, false)).isNull();
  }
}
