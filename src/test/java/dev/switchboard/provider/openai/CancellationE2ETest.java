package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that hangs up stops the upstream at once: the simulator records the request as {@code cancelled}, instead
 * of generating (and billing) the rest of an answer nobody will read. Waits are on the simulator's ledger, never on
 * the clock: the slow deployments would take 20 to 30 s to finish on their own, far past the waits here.
 */
final class CancellationE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void hangingUpMidStreamCancelsTheUpstream() {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ChatCompletionCreateParams.builder().model("paced").addUserMessage("tell me a long story")
            .build());
    String id = raw.requestId().orElseThrow();
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      Iterator<ChatCompletionChunk> it = s.stream().iterator();
      it.next(); // the role
      it.next(); // the first token
    } // closing the stream early is how an SDK user hangs up

    // 400 tokens at 20 tokens/s: had the hang-up not reached it, the deployment would still be generating.
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(served.outcome()).isEqualTo("cancelled");
    assertThat(served.deployment()).isEqualTo(GatewayFixture.PACED);
    assertThat(served.completionTokens()).isBetween(1, GatewayFixture.PACED_TOKENS / 4);
    ExchangeRecord record = fx.exchange(id);
    assertThat(record.outcome()).isEqualTo("client_gone");
  }

  @Test
  void hangingUpBeforeTheFirstTokenCancelsTheUpstream() throws Exception {
    String body = "{\"model\":\"slow\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + GatewayFixture.MASTER_KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", fx.gateway().port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      // The request is at the simulator, which will not answer for 30 s; the gateway holds the response head.
      GatewayFixture.get(fx.slowTap().forwardedHeads().await(n -> true));
    } // hang up

    ExchangeRecord record = fx.exchange(r -> "slow".equals(r.model()));
    assertThat(record.outcome()).isEqualTo("client_gone");
    LedgerEntry served = fx.ledgerEntry(record.requestId());
    assertThat(served.outcome()).isEqualTo("cancelled");
    assertThat(served.deployment()).isEqualTo(GatewayFixture.SLOW);
    assertThat(served.completionTokens()).isZero();
  }
}
