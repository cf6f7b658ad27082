package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ModelErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;

/**
 * Every fault kind on the Bedrock routes, seen through the AWS SDK: statuses become the SDK's typed exceptions, a cut
 * stream ends with a {@code modelStreamErrorException} frame, resets and hangs reach the client as transport failures
 * (over HTTP/2 only the one stream is reset), and the ledger says exactly what was sent.
 */
final class SimBedrockFaultTest {
  static SimFixture fx;
  static BedrockRuntimeClient client;
  static BedrockRuntimeAsyncClient async;
  static BedrockRuntimeAsyncClient slow;

  @BeforeAll
  static void start() {
    fx = SimFixture.start(SimFixture.instant("b", "r1", 1),
        // 500 tokens at 50/s: ten seconds of stream, so a hang-up surely lands in the middle
        new SimDeploymentSpec("slow", "r1", SimFixture.MODELS, 0, Duration.ZERO, 50, 500, 1));
    client = fx.bedrock("b");
    async = fx.bedrockAsync("b");
    slow = fx.bedrockAsync("slow");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void clearFaults() {
    for (SimDeployment d : fx.sim.deployments()) fx.sim.setFault(d.name(), null);
  }

  private static ConverseRequest ask(String text, String requestId) {
    return ConverseRequest.builder().modelId("sim-large").messages(SimBedrockConverseTest.user(text))
        .overrideConfiguration(o -> o.putHeader("x-request-id", requestId)).build();
  }

  private static ConverseStreamRequest askStream(String model, String text, String requestId) {
    return ConverseStreamRequest.builder().modelId(model).messages(SimBedrockConverseTest.user(text))
        .overrideConfiguration(o -> o.putHeader("x-request-id", requestId)).build();
  }

  private static LedgerEntry ledger(String requestId) throws Exception {
    return fx.sim.ledger().await(e -> e.requestId().equals(requestId)).get(10, TimeUnit.SECONDS);
  }

  /** The exception a failed async call ended with. */
  private static Throwable failure(CompletableFuture<?> call) {
    try {
      call.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the call neither failed nor completed", e);
    }
    throw new AssertionError("the call completed instead of failing");
  }

  @Test
  void statusFaultsBecomeTheSdksTypedExceptions() throws Exception {
    record Case(int status, Class<? extends AwsServiceException> type, String code) {}
    List<Case> cases = List.of(new Case(429, ThrottlingException.class, "ThrottlingException"),
        new Case(503, ServiceUnavailableException.class, "ServiceUnavailableException"),
        new Case(500, InternalServerException.class, "InternalServerException"),
        new Case(408, ModelTimeoutException.class, "ModelTimeoutException"),
        new Case(424, ModelErrorException.class, "ModelErrorException"),
        new Case(403, AccessDeniedException.class, "AccessDeniedException"),
        new Case(404, ResourceNotFoundException.class, "ResourceNotFoundException"));
    for (Case c : cases) {
      fx.sim.setFault("b", Fault.status(c.status()));
      String id = "f-" + c.status();
      assertThatThrownBy(() -> client.converse(ask("hi", id)))
          .isInstanceOfSatisfying(c.type(), e -> {
            assertThat(e.statusCode()).isEqualTo(c.status());
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(c.code());
            assertThat(e.awsErrorDetails().errorMessage()).contains("simulated on b");
            assertThat(e.requestId()).isEqualTo(id);
          });
      LedgerEntry e = ledger(id);
      assertThat(e.outcome()).isEqualTo("fault:status");
      assertThat(e.endpoint()).isEqualTo("converse");
      assertThat(e.completionTokens()).isZero();
    }
    // Before a stream starts, a fault is an HTTP error too, and raised as the same type.
    fx.sim.setFault("b", Fault.status429(2));
    assertThat(failure(async.converseStream(askStream("sim-large", "hi", "f-stream-429"),
        ConverseStreamResponseHandler.builder().subscriber(e -> { }).build())))
        .isInstanceOf(ThrottlingException.class);
    assertThat(ledger("f-stream-429").stream()).isTrue();
  }

  @Test
  void aCutConverseStreamEndsWithAModelStreamErrorAfterTheGivenDeltas() throws Exception {
    fx.sim.setFault("b", Fault.cut(3));
    List<String> deltas = new CopyOnWriteArrayList<>();
    List<String> types = new CopyOnWriteArrayList<>();
    Throwable t = failure(async.converseStream(askStream("sim-large", "count to 9", "f-cut"),
        ConverseStreamResponseHandler.builder().subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onDefault(e -> types.add(e.sdkEventType().toString()))
            .onContentBlockDelta(e -> deltas.add(e.delta().text())).build()).build()));
    assertThat(t).isInstanceOfSatisfying(ModelStreamErrorException.class, e -> {
      assertThat(e.originalStatusCode()).isEqualTo(500);
      assertThat(e.getMessage()).contains("simulated stream failure on b");
    });
    assertThat(deltas).containsExactly("1", " ", "2");
    assertThat(types).containsExactly("messageStart");
    LedgerEntry e = ledger("f-cut");
    assertThat(e.outcome()).isEqualTo("cut");
    assertThat(e.stream()).isTrue();
    assertThat(e.completionTokens()).isEqualTo(3);
  }

  @Test
  void aCutInvokeStreamEndsWithAModelStreamErrorToo() throws Exception {
    fx.sim.setFault("b", Fault.cut(2));
    List<String> chunks = new CopyOnWriteArrayList<>();
    Throwable t = failure(async.invokeModelWithResponseStream(InvokeModelWithResponseStreamRequest.builder()
            .modelId("sim-large").body(SimBedrockInvokeTest.body("count to 9"))
            .overrideConfiguration(o -> o.putHeader("x-request-id", "f-cut-invoke")).build(),
        InvokeModelWithResponseStreamResponseHandler.builder()
            .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                .onChunk(p -> chunks.add(p.bytes().asUtf8String())).build()).build()));
    assertThat(t).isInstanceOf(ModelStreamErrorException.class);
    assertThat(chunks).hasSize(5); // message_start, content_block_start, ping and two deltas
    assertThat(chunks.getLast()).contains("content_block_delta");
    LedgerEntry e = ledger("f-cut-invoke");
    assertThat(e.outcome()).isEqualTo("cut");
    assertThat(e.endpoint()).isEqualTo("invoke");
    assertThat(e.completionTokens()).isEqualTo(2);
  }

  @Test
  void resetsCutPlainAnswersAndRefusalsAreTransportFailures() throws Exception {
    fx.sim.setFault("b", Fault.reset());
    assertThatThrownBy(() -> client.converse(ask("hi", "f-reset"))).isInstanceOf(SdkClientException.class);
    assertThat(ledger("f-reset").outcome()).isEqualTo("fault:reset");
    assertThat(failure(async.converse(ask("hi", "f-reset-h2")))).isInstanceOf(SdkClientException.class);
    assertThat(ledger("f-reset-h2").outcome()).isEqualTo("fault:reset");

    fx.sim.setFault("b", Fault.cut(0));
    assertThatThrownBy(() -> client.converse(ask("hi", "f-cut-plain"))).isInstanceOf(SdkClientException.class);
    assertThat(ledger("f-cut-plain").outcome()).isEqualTo("cut");

    fx.sim.setFault("b", Fault.refuse());
    assertThatThrownBy(() -> client.converse(ask("hi", "f-refused"))).isInstanceOf(SdkClientException.class);
  }

  @Test
  void overHttp2AResetBreaksOnlyItsOwnStream() throws Exception {
    CompletableFuture<Void> firstDelta = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    CompletableFuture<Void> running = slow.converseStream(askStream("sim-large", "count to 40", "f-survivor"),
        ConverseStreamResponseHandler.builder().subscriber(ConverseStreamResponseHandler.Visitor.builder()
            .onContentBlockDelta(d -> {
              synchronized (text) {
                text.append(d.delta().text());
              }
              firstDelta.complete(null);
            }).build()).build());
    firstDelta.get(10, TimeUnit.SECONDS);
    fx.sim.setFault("slow", Fault.reset().withCount(1));
    assertThat(failure(slow.converse(ask("hi", "f-neighbour")))).isInstanceOf(SdkClientException.class);
    running.get(30, TimeUnit.SECONDS);
    synchronized (text) {
      assertThat(text.toString()).endsWith("39 40");
    }
    assertThat(ledger("f-survivor").outcome()).isEqualTo("completed");
  }

  @Test
  void aClientThatGivesUpOnAHangIsRecordedAsCancelled() throws Exception {
    fx.sim.setFault("b", Fault.hang());
    BedrockRuntimeAsyncClient impatient = fx.bedrockAsync("b", SimFixture.NO_RETRIES.toBuilder()
        .apiCallTimeout(Duration.ofMillis(300)).build());
    assertThat(failure(impatient.converse(ask("hi", "f-hang-h2")))).isInstanceOf(ApiCallTimeoutException.class);
    assertThat(ledger("f-hang-h2").outcome()).isEqualTo("cancelled");
  }

  @Test
  void aSubscriberThatCancelsMidStreamStopsTheGeneration() throws Exception {
    CompletableFuture<Void> call = slow.converseStream(askStream("sim-large", "go", "f-leave"),
        ConverseStreamResponseHandler.builder().onEventStream(p -> p.subscribe(new Subscriber<ConverseStreamOutput>() {
          private Subscription s;
          private int seen;

          @Override
          public void onSubscribe(Subscription s) {
            this.s = s;
            s.request(1);
          }

          @Override
          public void onNext(ConverseStreamOutput e) {
            if (++seen == 4) s.cancel();
            else s.request(1);
          }

          @Override
          public void onError(Throwable t) { }

          @Override
          public void onComplete() { }
        })).build());
    LedgerEntry e = ledger("f-leave");
    assertThat(e.outcome()).isEqualTo("cancelled");
    assertThat(e.completionTokens()).isBetween(3, 499);
    call.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
  }
}
