package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.LedgerEntry;
import dev.switchboard.testing.GatewayFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an OpenAI SDK user sees when the upstream fails: each failure injected into the simulator's {@code faulty}
 * deployment becomes the SDK exception a user catches, with a message that names the provider, an
 * {@code x-request-id}, and the upstream request ended rather than left running.
 */
final class UpstreamFailuresE2ETest {
  @TempDir static Path dir;
  static GatewayFixture fx;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    fx = GatewayFixture.start(dir);
    client = fx.client();
  }

  @AfterEach
  void clearFaults() {
    fx.clearFaults();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  /** The SDK call fails with {@code type} and {@code status}; checks what every such failure carries. */
  static <E extends OpenAIServiceException> E failed(Class<E> type, int status, ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(type);
    E e = type.cast(t);
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.headers().values("x-request-id")).singleElement().asString().startsWith("req_");
    if (status >= 500 || status == 429) {
      // Transient upstream trouble: the SDKs' own retries (PROTOCOLS.md 0.6) must stay allowed.
      assertThat(e.headers().values("x-should-retry")).isEmpty();
    }
    return e;
  }

  static String requestId(OpenAIServiceException e) {
    return e.headers().values("x-request-id").getFirst();
  }

  @Test
  void refusedConnectionIs502NamingTheProvider() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.refuse());
    InternalServerException e = failed(InternalServerException.class, 502, () -> client.chat().completions()
        .create(ask("faulty", "hi").build()));
    assertThat(e.code()).contains("upstream_unreachable");
    assertThat(e.getMessage()).contains("Could not reach provider 'sim-faulty' at "
        + fx.sim().deployment(GatewayFixture.FAULTY).baseUrl());
    assertThat(fx.exchange(requestId(e)).outcome()).isEqualTo("upstream_error");
  }

  @Test
  void resetConnectionIs502NamingTheProvider() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.reset().withCount(1));
    InternalServerException e = failed(InternalServerException.class, 502, () -> client.chat().completions()
        .create(ask("faulty", "hi").build()));
    assertThat(e.getMessage()).contains("provider 'sim-faulty'");
    assertThat(fx.ledgerEntry(requestId(e)).outcome()).isEqualTo("fault:reset");
  }

  @Test
  void hangPastTheFirstByteTimeoutIs504AndTheUpstreamRequestIsCancelled() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.hang().withCount(1));
    InternalServerException e = failed(InternalServerException.class, 504, () -> client.chat().completions()
        .create(ask("impatient", "hi").build()));
    assertThat(e.code()).contains("upstream_timeout");
    assertThat(e.getMessage()).contains("Provider 'sim-impatient'").contains("first_byte timeout (300 ms)");
    assertThat(fx.exchange(requestId(e)).outcome()).isEqualTo("timeout");
    // The gateway gave up, so it must not leave the upstream generating for nobody.
    assertThat(fx.ledgerEntry(requestId(e)).outcome()).isEqualTo("cancelled");
  }

  @Test
  void upstream503IsPassedOnNamingTheProvider() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status(503).withCount(1));
    InternalServerException e = failed(InternalServerException.class, 503, () -> client.chat().completions()
        .create(ask("faulty", "hi").build()));
    assertThat(e.getMessage()).contains("Provider 'sim-faulty' answered HTTP 503")
        .contains("simulated 503 on " + GatewayFixture.FAULTY);
    assertThat(e.type()).contains("server_error");
    assertThat(fx.ledgerEntry(requestId(e)).outcome()).isEqualTo("fault:status");
  }

  @Test
  void upstream429IsARateLimitWithRetryAfter() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status429(7).withCount(1));
    RateLimitException e = failed(RateLimitException.class, 429, () -> client.chat().completions()
        .create(ask("faulty", "hi").build()));
    assertThat(e.headers().values("retry-after")).containsExactly("7");
    assertThat(e.code()).contains("rate_limit_exceeded");
    assertThat(e.getMessage()).contains("Provider 'sim-faulty' answered HTTP 429").contains("Rate limit reached");

    // A streamed request fails the same way: the error comes before the stream, as a status.
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status429(3).withCount(1));
    RateLimitException streamed = failed(RateLimitException.class, 429, () -> client.chat().completions()
        .createStreaming(ask("faulty", "hi").build()).close());
    assertThat(streamed.headers().values("retry-after")).containsExactly("3");
    assertThat(streamed.getMessage()).contains("Provider 'sim-faulty' answered HTTP 429");
  }

  @Test
  void upstreamRejectingItsOwnCredentialIsNotBlamedOnTheClientsKey() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.status(401).withCount(1));
    InternalServerException e = failed(InternalServerException.class, 502, () -> client.chat().completions()
        .create(ask("faulty", "hi").build()));
    assertThat(e.code()).contains("upstream_auth_failed");
    assertThat(e.getMessage()).contains("check the api_key of provider 'sim-faulty'");
  }

  @Test
  void upstreamValidationErrorKeepsItsParameter() {
    // The gateway does not validate n; the upstream does, and its verdict reaches the client intact.
    BadRequestException e = failed(BadRequestException.class, 400, () -> client.chat().completions()
        .create(ask("chat", "hi").n(500).build()));
    assertThat(e.param()).contains("n");
    assertThat(e.getMessage()).contains("Provider 'sim' answered HTTP 400").contains("allowed range");
  }

  @Test
  void streamCutMidwayEndsInAnErrorTheSdkThrows() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.cut(3).withCount(1));
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ask("faulty", "count to 5").build());
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.headers().values("x-switchboard-provider")).containsExactly("sim-faulty");
    String id = raw.requestId().orElseThrow();

    List<String> deltas = new ArrayList<>();
    Throwable thrown;
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      Iterator<ChatCompletionChunk> it = s.stream().iterator();
      thrown = catchThrowable(() -> it.forEachRemaining(c ->
          c.choices().forEach(ch -> ch.delta().content().ifPresent(deltas::add))));
    }
    assertThat(thrown).as("a cut stream must never look complete").isInstanceOf(SseException.class);
    assertThat(thrown.getMessage()).contains("Provider 'sim-faulty' broke off the response");
    assertThat(String.join("", deltas)).isEqualTo("1 2"); // the role's "" and the three tokens before the cut

    assertThat(fx.ledgerEntry(id).outcome()).isEqualTo("cut");
    ExchangeRecord record = fx.exchange(id);
    assertThat(record.outcome()).isEqualTo("truncated");
    assertThat(record.status()).isEqualTo(502);
  }

  @Test
  void streamThatFallsSilentPastTheIdleTimeoutEndsInAnErrorAndIsCancelledUpstream() {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
        .createStreaming(ask("trickle", "tell me a story").build());
    String id = raw.requestId().orElseThrow();
    Throwable thrown;
    try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
      thrown = catchThrowable(() -> s.stream().forEach(c -> { }));
    }
    assertThat(thrown).isInstanceOf(SseException.class);
    assertThat(thrown.getMessage()).contains("Provider 'sim-trickle'").contains("idle timeout (150 ms)");
    assertThat(fx.exchange(id).outcome()).isEqualTo("timeout");
    LedgerEntry served = fx.ledgerEntry(id);
    assertThat(served.outcome()).isEqualTo("cancelled");
    assertThat(served.completionTokens()).isLessThan(50);
  }

  @Test
  void plainBodyCutMidwayIsNeverParsedAsComplete() {
    fx.sim().setFault(GatewayFixture.FAULTY, Fault.cut(0).withCount(1));
    Throwable thrown = catchThrowable(() -> client.chat().completions().create(ask("faulty", "count to 50").build()));
    // Never a clean end that would leave the SDK a broken or, worse, a shorter but valid JSON document. The
    // gateway relays a plain body one piece behind: when the cut comes before anything left (the usual
    // one-piece body), the client gets a clean 502; when part of it had left, the connection is reset.
    assertThat(thrown).isInstanceOf(OpenAIException.class);
    if (thrown instanceof InternalServerException e) {
      assertThat(e.statusCode()).isEqualTo(502);
      assertThat(e.getMessage()).contains("faulty").contains("broke off");
    } else {
      assertThat(org.assertj.core.util.Throwables.getRootCause(thrown)).isInstanceOfAny(
          java.net.ProtocolException.class, java.net.SocketException.class, java.io.EOFException.class);
    }
    LedgerEntry cut = GatewayFixture.get(fx.ledger().await(e -> e.outcome().equals("cut") && !e.stream()));
    assertThat(fx.exchange(cut.requestId()).outcome()).isEqualTo("truncated");
  }
}
