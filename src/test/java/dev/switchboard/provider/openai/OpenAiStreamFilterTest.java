package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiStreamFilterTest {
  private static final String CHUNK1 =
      "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}";
  private static final String CHUNK2 =
      "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\\u00e9llo \\\"usage\\\":{\"},\"finish_reason\":null}],\"usage\":null}";
  private static final String FINISH =
      "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}";
  private static final String USAGE =
      "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":3},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}";
  private static final String DONE = "data: [DONE]";

  private static String stream(String sep) {
    return String.join(sep + sep, CHUNK1, ": keep-alive comment", CHUNK2, FINISH, USAGE, DONE) + sep + sep;
  }

  private static String expected(String sep, boolean withUsage) {
    return withUsage ? stream(sep)
        : String.join(sep + sep, CHUNK1, ": keep-alive comment", CHUNK2, FINISH, DONE) + sep + sep;
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everySplitPointGivesTheSameEventsAndUsage(String sep) {
    byte[] all = stream(sep).getBytes(StandardCharsets.UTF_8);
    for (boolean wantsUsage : new boolean[] {true, false}) {
      for (int cut = 0; cut <= all.length; cut++) {
        OpenAiStreamFilter filter = new OpenAiStreamFilter(wantsUsage);
        Buffer out = Buffer.buffer();
        append(out, filter.next(Buffer.buffer(java.util.Arrays.copyOfRange(all, 0, cut))));
        append(out, filter.next(Buffer.buffer(java.util.Arrays.copyOfRange(all, cut, all.length))));
        append(out, filter.rest());
        assertThat(out.toString(StandardCharsets.UTF_8)).as("cut at %d, usage %s", cut, wantsUsage)
            .isEqualTo(expected(sep, wantsUsage));
        assertThat(filter.sawDone()).isTrue();
        assertThat(filter.usage()).isEqualTo(new Usage(12, 5, 3, 0, 2, false));
      }
    }
  }

  @Test
  void byteAtATimeKeepsEventsWholeAndOrdered() {
    byte[] all = stream("\n").getBytes(StandardCharsets.UTF_8);
    OpenAiStreamFilter filter = new OpenAiStreamFilter(false);
    Buffer out = Buffer.buffer();
    int emissions = 0;
    for (byte b : all) {
      Buffer piece = filter.next(Buffer.buffer(new byte[] {b}));
      if (piece != null) {
        emissions++;
        // Whatever leaves the filter ends on an event boundary.
        assertThat(piece.toString(StandardCharsets.UTF_8)).endsWith("\n\n");
      }
      append(out, piece);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected("\n", false));
    assertThat(emissions).isEqualTo(5);
  }

  @Test
  void aStreamWithoutDoneIsNotComplete() {
    OpenAiStreamFilter filter = new OpenAiStreamFilter(true);
    filter.next(Buffer.buffer(CHUNK1 + "\n\n" + CHUNK2 + "\n\n"));
    assertThat(filter.sawDone()).isFalse();
    assertThat(filter.sawError()).isFalse();
  }

  @Test
  void anUpstreamErrorEventIsPassedOnAndNoted() {
    OpenAiStreamFilter filter = new OpenAiStreamFilter(false);
    String error = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n";
    assertThat(filter.next(Buffer.buffer(error)).toString()).isEqualTo(error);
    assertThat(filter.sawError()).isTrue();
  }

  @Test
  void usageOnAChoiceChunkIsReadButNeverDropped() {
    OpenAiStreamFilter filter = new OpenAiStreamFilter(false);
    String chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n";
    assertThat(filter.next(Buffer.buffer(chunk)).toString()).isEqualTo(chunk);
    assertThat(filter.usage().outputTokens()).isEqualTo(2);
  }

  @Test
  void chunksAreCountedForAnAbortedStreamsEstimateButCommentsAndErrorsAreNot() {
    OpenAiStreamFilter filter = new OpenAiStreamFilter(false);
    filter.next(Buffer.buffer(CHUNK1 + "\n\n: keep-alive comment\n\n" + CHUNK2.substring(0, 20)));
    assertThat(filter.takeChunks()).isEqualTo(1); // the second is not whole yet
    filter.next(Buffer.buffer(CHUNK2.substring(20) + "\n\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
    assertThat(filter.takeChunks()).isEqualTo(1);
    assertThat(filter.takeChunks()).isZero();
  }

  private static void append(Buffer out, Buffer piece) {
    if (piece != null) out.appendBuffer(piece);
  }
}
