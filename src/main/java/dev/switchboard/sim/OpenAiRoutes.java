package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI-compatible surface of one deployment: chat completions, embeddings and models under {@code /v1}.
 *
 * <p>Order of checks for inference requests: API key (401), then the deployment's fault, then JSON syntax (400), then
 * the fields (400, or 404 for an unknown model). Every inference request ends in exactly one ledger entry. Every
 * response carries {@code x-request-id}: the caller's if it sent one, else a fresh {@code req_…}.
 */
final class OpenAiRoutes implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiRoutes.class);
  static final long MODEL_CREATED = 1_700_000_000L;

  private final Deployment deployment;

  OpenAiRoutes(Deployment deployment) {
    this.deployment = deployment;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String rid = req.getHeader("x-request-id");
    if (rid == null || rid.isBlank()) rid = Wire.requestId();
    req.response().putHeader("x-request-id", rid);
    Exchange ex = null;
    try {
      String path = req.path();
      HttpMethod m = req.method();
      if (path.equals("/v1/chat/completions") && m == HttpMethod.POST) {
        ex = inference(req, rid, "chat");
      } else if (path.equals("/v1/embeddings") && m == HttpMethod.POST) {
        ex = inference(req, rid, "embeddings");
      } else if (path.equals("/v1/models") && m == HttpMethod.GET) {
        if (authorized(req)) listModels(req.response());
        else plainError(req.response(), ApiError.missingKey());
      } else if (path.startsWith("/v1/models/") && m == HttpMethod.GET) {
        if (authorized(req)) retrieveModel(req.response(), path.substring("/v1/models/".length()));
        else plainError(req.response(), ApiError.missingKey());
      } else {
        plainError(req.response(), new ApiError(404, "invalid_request_error",
            "Invalid URL (" + m.name() + " " + path + ")", null, null));
      }
    } catch (RuntimeException e) {
      internalError(req, ex, e);
    }
  }

  private Exchange inference(HttpServerRequest req, String rid, String endpoint) {
    Exchange ex = new Exchange(deployment, req, rid, endpoint, ApiError::body);
    req.body().onComplete(ar -> {
      if (ar.failed()) { // the client left while sending the body
        ex.finish("cancelled");
        return;
      }
      try {
        begin(ex, ar.result());
      } catch (RuntimeException e) {
        internalError(req, ex, e);
      }
    });
    return ex;
  }

  private void begin(Exchange ex, Buffer body) {
    if (ex.finished()) return;
    if (!authorized(ex.request)) {
      ex.fail(ApiError.missingKey(), null);
      return;
    }
    JsonNode root = null;
    try {
      root = Json.MAPPER.readTree(body.getBytes());
    } catch (JacksonException e) {
      // reported after the fault check below: a failing deployment fails before it reads JSON
    }
    boolean chat = ex.endpoint.equals("chat");
    ex.model = ChatRequest.modelOf(root);
    ex.stream = chat && ChatRequest.streamOf(root);

    if (ex.applyFault(deployment.takeFault(), status -> ApiError.forStatus(status, deployment.name()))) return;

    if (root == null || root.isMissingNode()) {
      ex.fail(ApiError.invalid(null, "We could not parse the JSON body of your request. The API expects a JSON "
          + "payload, but what was sent was not valid JSON."), null);
      return;
    }
    try {
      if (chat) {
        ChatResponder.answer(ex, ChatRequest.parse(root, deployment.models()));
      } else {
        Embeddings.Request r = Embeddings.parse(root, deployment.models());
        ex.promptTokens = r.promptTokens();
        long delay = deployment.spec().timeToFirstToken().toMillis() + ex.extraDelayMillis;
        ex.after(delay, () -> ex.sendJson(Embeddings.render(r), 0));
      }
    } catch (ApiError e) {
      ex.fail(e, null);
    }
  }

  /** Any non-empty bearer token is accepted: the simulator checks the header's presence, as a gateway test needs. */
  private static boolean authorized(HttpServerRequest req) {
    String auth = req.getHeader("authorization");
    return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank();
  }

  private void listModels(HttpServerResponse resp) {
    Buffer out = Buffer.buffer(64 + 96 * deployment.models().size());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("object", "list");
      g.writeArrayPropertyStart("data");
      for (String id : deployment.models()) model(g, id);
      g.writeEndArray();
      g.writeEndObject();
    }
    resp.putHeader("content-type", Wire.JSON).end(out);
  }

  private void retrieveModel(HttpServerResponse resp, String rawId) {
    // The SDKs send ids such as "ft:x:y" unencoded; decode anyway in case a client does encode them.
    String id = URLDecoder.decode(rawId.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (!deployment.models().contains(id)) {
      plainError(resp, ApiError.modelNotFound(id));
      return;
    }
    Buffer out = Buffer.buffer(128);
    try (JsonGenerator g = Wire.generator(out)) {
      model(g, id);
    }
    resp.putHeader("content-type", Wire.JSON).end(out);
  }

  private static void model(JsonGenerator g, String id) {
    g.writeStartObject();
    g.writeStringProperty("id", id);
    g.writeStringProperty("object", "model");
    g.writeNumberProperty("created", MODEL_CREATED);
    g.writeStringProperty("owned_by", "switchboard-sim");
    g.writeEndObject();
  }

  private static void plainError(HttpServerResponse resp, ApiError e) {
    resp.setStatusCode(e.status).putHeader("content-type", Wire.JSON).end(e.body());
  }

  /** The outer guard (STACK.md, Vert.x trap 2): a bug answers 500 or resets, and never leaves the client hanging. */
  private void internalError(HttpServerRequest req, Exchange ex, RuntimeException e) {
    LOG.error("{}: internal error on {} {}", deployment.name(), req.method(), req.path(), e);
    HttpServerResponse resp = req.response();
    if (ex != null) ex.finish("error:500");
    if (resp.ended()) return;
    if (resp.headWritten()) {
      req.connection().close();
    } else {
      plainError(resp, new ApiError(500, "server_error", "The simulator failed: " + e, null, null));
    }
  }
}
