package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The Gemini surface of one deployment (PROTOCOLS.md 4), everything under {@code /v1beta/}:
 * {@code POST /v1beta/models/{model}:generateContent}, {@code :streamGenerateContent} ({@code ?alt=sse} for SSE,
 * else a streamed JSON array), {@code :countTokens}, and {@code GET /v1beta/models[/{model}]}
 * ({@link GeminiModels}). No other protocol uses {@code /v1beta}, so the path alone tells the requests apart.
 *
 * <p>Order of checks for generation: API key ({@code x-goog-api-key} or {@code ?key=}, any non-empty value; 403
 * {@code PERMISSION_DENIED} as Gemini answers a request without one), then the deployment's fault, then JSON syntax,
 * then the model (404 {@code NOT_FOUND}), then the body ({@link GeminiRequest}, 400 {@code INVALID_ARGUMENT}). Each
 * generation ends in exactly one ledger entry with endpoint {@code generateContent} (streamed or not); token counting
 * and model listings are not recorded and are not affected by faults. The ledger's request id is the caller's
 * {@code x-request-id}, else the answer's {@code responseId}; Gemini sends no request-id header, and neither does
 * this.
 */
final class GeminiRoutes implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(GeminiRoutes.class);
  static final String ENDPOINT = "generateContent";
  private static final String MODELS = "/v1beta/models";

  private final Deployment deployment;

  GeminiRoutes(Deployment deployment) {
    this.deployment = deployment;
  }

  /** True if {@code req} is a Gemini request: any path under {@code /v1beta/}. */
  static boolean claims(HttpServerRequest req) {
    return req.path().startsWith("/v1beta/");
  }

  @Override
  public void handle(HttpServerRequest req) {
    Exchange ex = null;
    try {
      String path = req.path();
      HttpMethod m = req.method();
      if (path.startsWith(MODELS + "/") && path.lastIndexOf(':') > MODELS.length()) {
        int colon = path.lastIndexOf(':');
        String model = decode(path.substring(MODELS.length() + 1, colon));
        String method = path.substring(colon + 1);
        if (m != HttpMethod.POST) {
          plainError(req.response(), GeminiErrors.notFound("Method " + m.name() + " is not allowed for " + method
              + "."));
        } else if (method.equals("generateContent") || method.equals("streamGenerateContent")) {
          ex = generate(req, model, method.equals("streamGenerateContent"));
        } else if (method.equals("countTokens")) {
          countTokens(req, model);
        } else {
          plainError(req.response(), GeminiErrors.modelNotFound(model, method));
        }
      } else if (m == HttpMethod.GET && (path.equals(MODELS) || path.startsWith(MODELS + "/"))) {
        models(req, path);
      } else {
        plainError(req.response(), GeminiErrors.notFound("Not found: " + m.name() + " " + path));
      }
    } catch (ApiError e) {
      plainError(req.response(), e);
    } catch (RuntimeException e) {
      internalError(req, ex, e);
    }
  }

  private Exchange generate(HttpServerRequest req, String model, boolean stream) {
    String callerId = req.getHeader("x-request-id");
    String responseId = Wire.id("");
    String rid = callerId == null || callerId.isBlank() ? responseId : callerId;
    Exchange ex = new Exchange(deployment, req, rid, ENDPOINT, GeminiErrors::body);
    ex.model = model;
    ex.stream = stream;
    boolean sse = "sse".equals(req.getParam("alt"));
    req.body().onComplete(ar -> {
      if (ar.failed()) { // the client left while sending the body
        ex.finish("cancelled");
        return;
      }
      try {
        begin(ex, ar.result(), responseId, sse);
      } catch (RuntimeException e) {
        internalError(req, ex, e);
      }
    });
    return ex;
  }

  private void begin(Exchange ex, Buffer body, String responseId, boolean sse) {
    if (ex.finished()) return;
    if (!authorized(ex.request)) {
      ex.fail(GeminiErrors.missingKey(), null);
      return;
    }
    JsonNode root = readJson(body);
    Fault fault = deployment.takeFault();
    if (ex.applyFault(fault, status -> GeminiErrors.forStatus(status, deployment.name(), fault.retryAfterSeconds()))) {
      return;
    }
    try {
      if (root == null) throw notJson();
      if (!deployment.models().contains(ex.model)) {
        throw GeminiErrors.modelNotFound(ex.model, ex.stream ? "streamGenerateContent" : ENDPOINT);
      }
      GeminiRequest request = GeminiRequest.parse(root, ex.model, ex.stream);
      SimDeploymentSpec spec = deployment.spec();
      List<ChatAnswer.Choice> choices = new ArrayList<>();
      for (ChatAnswer.Choice c : ChatAnswer.plan(request.chat(), spec)) choices.add(c.isToolCall() ? c.whole() : c);
      long seed = Words.mix(spec.seed(), request.chat().promptHash());
      ChatResponder.answer(ex, request.chat(), choices,
          (r, planned, prompt) -> new GeminiWire(responseId, ex.model, planned, request, seed, sse));
    } catch (ApiError e) {
      ex.fail(e, null);
    }
  }

  private void countTokens(HttpServerRequest req, String model) {
    req.body().onSuccess(body -> {
      HttpServerResponse resp = req.response();
      try {
        if (!authorized(req)) throw GeminiErrors.missingKey();
        JsonNode root = readJson(body);
        if (root == null) throw notJson();
        if (!deployment.models().contains(model)) throw GeminiErrors.modelNotFound(model, "countTokens");
        int tokens = GeminiRequest.countTokens(root, model);
        Buffer out = Buffer.buffer(96);
        try (JsonGenerator g = Wire.generator(out)) {
          g.writeStartObject();
          g.writeNumberProperty("totalTokens", tokens);
          g.writeArrayPropertyStart("promptTokensDetails");
          g.writeStartObject();
          g.writeStringProperty("modality", "TEXT");
          g.writeNumberProperty("tokenCount", tokens);
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
        }
        resp.putHeader("content-type", Wire.JSON).end(out);
      } catch (ApiError e) {
        plainError(resp, e);
      } catch (RuntimeException e) {
        internalError(req, null, e);
      }
    });
  }

  private void models(HttpServerRequest req, String path) {
    if (!authorized(req)) throw GeminiErrors.missingKey();
    Buffer out;
    if (path.equals(MODELS)) {
      out = GeminiModels.list(deployment.models(), req.getParam("pageSize"), req.getParam("pageToken"));
    } else {
      String id = decode(path.substring(MODELS.length() + 1));
      out = GeminiModels.get(deployment.models(), id);
      if (out == null) throw GeminiErrors.notFound("models/" + id + " is not found for API version v1beta.");
    }
    req.response().putHeader("content-type", Wire.JSON).end(out);
  }

  /** Either form of the key with any non-empty value: the simulator checks presence, as a gateway test needs. */
  private static boolean authorized(HttpServerRequest req) {
    String key = req.getHeader("x-goog-api-key");
    if (key == null || key.isBlank()) key = req.getParam("key");
    return key != null && !key.isBlank();
  }

  private static JsonNode readJson(Buffer body) {
    try {
      JsonNode root = Json.MAPPER.readTree(body.getBytes());
      return root == null || root.isMissingNode() ? null : root;
    } catch (JacksonException e) {
      return null; // reported after the fault check: a failing deployment fails before it reads JSON
    }
  }

  private static ApiError notJson() {
    return GeminiErrors.invalid("Invalid JSON payload received. Unexpected token.");
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void plainError(HttpServerResponse resp, ApiError e) {
    resp.setStatusCode(e.status).putHeader("content-type", Wire.JSON).end(GeminiErrors.body(e));
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
      plainError(resp, new ApiError(500, "INTERNAL", "The simulator failed: " + e, null, null));
    }
  }
}
