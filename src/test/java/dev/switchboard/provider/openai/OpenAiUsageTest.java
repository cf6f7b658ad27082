package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Reading the usage of a plain (not streamed) answer from its last bytes, however the body arrives in pieces. */
final class OpenAiUsageTest {
  private static final String BODY = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
      + "\"content\":\"the key is \\\"usage\\\":{\\\"prompt_tokens\\\":1}\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\": {\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":3},\"completion_tokens_details\":{\"reasoning_tokens\":2}},"
      + "\"system_fingerprint\":\"fp\"}";

  private static Usage read(String body, int pieceSize, int limit) {
    Buffer all = Buffer.buffer(body);
    Buffer tail = null;
    for (int i = 0; i < all.length(); i += pieceSize) {
      tail = OpenAiUsage.keepTail(tail, all.getBuffer(i, Math.min(all.length(), i + pieceSize)), limit);
      assertThat(tail.length()).isLessThanOrEqualTo(2 * limit);
    }
    return OpenAiUsage.fromTail(tail);
  }

  @Test
  void readsTheUsageWhateverThePieces() {
    for (int piece : new int[] {1, 2, 7, 64, BODY.length()}) {
      assertThat(read(BODY, piece, 4096)).as("pieces of %d", piece).isEqualTo(new Usage(12, 5, 3, 0, 2, false));
    }
  }

  @Test
  void findsItInALongBodysTail() {
    String longBody = "{\"data\":[" + "0.125,".repeat(100_000) + "1],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}";
    assertThat(read(longBody, 8192, 4096)).isEqualTo(new Usage(9, 0, 0, 0, 0, false));
    assertThat(read(longBody, 100, 4096)).isEqualTo(new Usage(9, 0, 0, 0, 0, false));
  }

  @Test
  void noUsageIsNull() {
    assertThat(read("{\"id\":\"c\",\"choices\":[]}", 5, 4096)).isNull();
    assertThat(read("{\"usage\":null}", 5, 4096)).isNull();
    assertThat(OpenAiUsage.fromTail(null)).isNull();
  }
}
