package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The Bedrock Runtime surface of one deployment (PROTOCOLS.md 3): {@code POST /model/{modelId}/converse} and
 * {@code /converse-stream} (Converse JSON in, JSON or event-stream frames out), {@code /invoke} and
 * {@code /invoke-with-response-stream} with the Anthropic-on-Bedrock body (an Anthropic message out, as JSON or as
 * {@code chunk} frames). The model id is the path segment, percent-decoded ({@code %3A}, {@code %2F}); whether the
 * answer streams is the operation's choice, not the body's.
 *
 * <p>Order of checks: credentials in a form Bedrock takes ({@link BedrockAuth}: a SigV4 signature scoped to
 * {@code bedrock}, or a bearer key; 403 otherwise, but signatures are not verified), then the deployment's fault,
 * then JSON syntax, the model id and the fields (400 {@code ValidationException}). Each request ends in exactly one
 * ledger entry with endpoint {@code converse} or {@code invoke}. Every response carries {@code x-amzn-RequestId}: the
 * caller's {@code x-request-id} if it sent one (so a gateway's id reaches the ledger), else a fresh UUID as AWS uses.
 */
final class BedrockRoutes implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(BedrockRoutes.class);
  private static final String PREFIX = "/model/";

  private final Deployment deployment;

  BedrockRoutes(Deployment deployment) {
    this.deployment = deployment;
  }

  /** True if {@code req} is a Bedrock Runtime request: its path is under {@code /model/}. */
  static boolean claims(HttpServerRequest req) {
    return req.path().startsWith(PREFIX);
  }

  /** The four operations: the endpoint they are recorded under, and whether they stream. */
  private enum Operation {
    CONVERSE("converse", false), CONVERSE_STREAM("converse", true), INVOKE("invoke", false),
    INVOKE_STREAM("invoke", true);

    final String endpoint;
    final boolean stream;

    Operation(String endpoint, boolean stream) {
      this.endpoint = endpoint;
      this.stream = stream;
    }

    static Operation of(String name) {
      return switch (name) {
        case "converse" -> CONVERSE;
        case "converse-stream" -> CONVERSE_STREAM;
        case "invoke" -> INVOKE;
        case "invoke-with-response-stream" -> INVOKE_STREAM;
        default -> null;
      };
    }
  }

  @Override
  public void handle(HttpServerRequest req) {
    String rid = req.getHeader("x-request-id");
    if (rid == null || rid.isBlank()) rid = UUID.randomUUID().toString();
    HttpServerResponse resp = req.response();
    resp.putHeader("x-amzn-RequestId", rid);
    Exchange ex = null;
    try {
      // The raw path: an inference-profile ARN's "/" arrives as %2F and must not split the segment.
      String rest = req.path().substring(PREFIX.length());
      int slash = rest.lastIndexOf('/');
      Operation op = slash > 0 ? Operation.of(rest.substring(slash + 1)) : null;
      if (op == null || req.method() != HttpMethod.POST) {
        plainError(resp, BedrockErrors.unknownOperation(req.method().name(), req.path()));
        return;
      }
      String model;
      try {
        model = URLDecoder.decode(rest.substring(0, slash).replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        plainError(resp, BedrockErrors.invalidModel());
        return;
      }
      Exchange exchange = new Exchange(deployment, req, rid, op.endpoint, e -> BedrockErrors.body(e, resp));
      ex = exchange;
      exchange.model = model;
      exchange.stream = op.stream;
      req.body().onComplete(ar -> {
        if (ar.failed()) { // the client left while sending the body
          exchange.finish("cancelled");
          return;
        }
        try {
          begin(exchange, op, ar.result());
        } catch (RuntimeException e) {
          internalError(req, exchange, e);
        }
      });
    } catch (RuntimeException e) {
      internalError(req, ex, e);
    }
  }

  private void begin(Exchange ex, Operation op, Buffer body) {
    if (ex.finished()) return;
    ApiError denied = BedrockAuth.check(ex.request);
    if (denied != null) {
      ex.fail(denied, null);
      return;
    }
    JsonNode root = null;
    try {
      root = Json.MAPPER.readTree(body.getBytes());
    } catch (JacksonException e) {
      // reported after the fault check below: a failing deployment fails before it reads JSON
    }
    if (ex.applyFault(deployment.takeFault(), status -> BedrockErrors.forStatus(status, deployment.name()))) return;

    if (root == null || root.isMissingNode()) {
      ex.fail(BedrockErrors.validation("Malformed input request, please reformat your input and try again."), null);
      return;
    }
    if (!deployment.models().contains(ex.model)) {
      ex.fail(BedrockErrors.invalidModel(), null);
      return;
    }
    try {
      if (op.endpoint.equals("converse")) converse(ex, op, root);
      else invoke(ex, op, root);
    } catch (ApiError e) {
      ex.fail(e, null);
    }
  }

  private static void converse(Exchange ex, Operation op, JsonNode root) {
    ConverseRequest.Parsed parsed = ConverseRequest.parse(root, ex.model);
    ChatResponder.answer(ex, parsed.chat().withStream(op.stream), (r, choices, prompt) ->
        new ConverseWire(ex, choices.getFirst(), prompt, parsed.reportStopSequence()));
  }

  private void invoke(Exchange ex, Operation op, JsonNode root) {
    ChatRequest request;
    try {
      request = MessagesRequest.parseBedrock(root, ex.model, deployment.models());
    } catch (ApiError e) { // Bedrock reports the model's complaint about its input as a ValidationException
      throw BedrockErrors.validation(e.getMessage());
    }
    ChatResponder.answer(ex, request.withStream(op.stream), (r, choices, prompt) ->
        new MessagesWire(Wire.id("msg_bdrk_"), r.model(), choices.getFirst(), prompt,
            new InvokeFraming(ex, prompt, choices.getFirst().tokens())));
  }

  private static void plainError(HttpServerResponse resp, ApiError e) {
    resp.setStatusCode(e.status).putHeader("content-type", Wire.JSON);
    resp.end(BedrockErrors.body(e, resp));
  }

  /** The outer guard (STACK.md, Vert.x trap 2): a bug answers 500 or resets, and never leaves the client hanging. */
  private void internalError(HttpServerRequest req, Exchange ex, RuntimeException e) {
    LOG.error("{}: internal error on {} {}", deployment.name(), req.method(), req.path(), e);
    HttpServerResponse resp = req.response();
    if (ex != null) ex.finish("error:500");
    if (resp.ended()) return;
    if (resp.headWritten()) {
      if (ex != null) ex.resetConnection();
      else req.connection().close();
    } else {
      plainError(resp, BedrockErrors.internal("The simulator failed: " + e));
    }
  }
}
