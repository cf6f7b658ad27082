package dev.switchboard.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The estimate an exchange is metered on when its upstream answered but never said what it used. */
final class UsageEstimateTest {
  private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  @Test
  void inputIsTheRequestsTextTokenizedWithOpenAisMessageFraming() {
    String question = "What is the capital of France, and why did it move there?";
    Buffer body = Buffer.buffer("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
        + question + "\"}]}");
    // One message: its tokens, 3 for the message, 3 to prime the reply; no field names, model or role.
    assertThat(UsageEstimate.inputTokens(body)).isEqualTo(O200K.countTokensOrdinary(question) + 6);
  }

  @Test
  void imagesAreNotCountedAsText() {
    String image = "iVBORw0KGgo".repeat(200);
    Buffer body = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + image
        + "\"}}]}]}");
    assertThat(UsageEstimate.inputTokens(body)).isEqualTo(O200K.countTokensOrdinary("hi") + 6);
  }

  @Test
  void aLongRequestIsCountedOnItsFirstPartAndScaled() {
    String part = "The quick brown fox jumps over the lazy dog. ";
    String text = part.repeat(4000); // 180,000 characters
    Buffer body = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    long exact = O200K.countTokensOrdinary(text) + 6;
    assertThat(UsageEstimate.inputTokens(body)).isBetween(exact * 99 / 100, exact * 101 / 100);
  }

  @Test
  void aBodyThatIsNotJsonIsCountedWhole() {
    assertThat(UsageEstimate.inputTokens(Buffer.buffer("hello there"))).isEqualTo(
        O200K.countTokensOrdinary("hello there"));
    assertThat(UsageEstimate.inputTokens(null)).isZero();
  }

  @Test
  void outputIsOneTokenPerShortDeltaElseFourCharactersAToken() {
    Buffer body = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(UsageEstimate.of(body, null, 10, 45).outputTokens()).isEqualTo(10); // token-sized deltas
    assertThat(UsageEstimate.of(body, null, 3, 120).outputTokens()).isEqualTo(30); // sentence-sized deltas
    assertThat(UsageEstimate.of(body, null, 7, 0).outputTokens()).isEqualTo(7); // relayed bytes, unread
    assertThat(UsageEstimate.of(body, null, 7, 0).estimated()).isTrue();
  }

  @Test
  void whatTheUpstreamSaidAtTheStartIsKept() {
    Usage atStart = new Usage(1200, 1, 1000, 0, 0, false);
    Usage u = UsageEstimate.of(Buffer.buffer("{}"), atStart, 25, 100);
    assertThat(u).isEqualTo(new Usage(1200, 25, 1000, 0, 0, true));
  }
}
