package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The Anthropic surface of one deployment (PROTOCOLS.md 2): {@code POST /v1/messages}, streamed or not,
 * {@code POST /v1/messages/count_tokens}, and {@code GET /v1/models[/{id}]} in Anthropic's shape. A request is
 * Anthropic's if its path is under {@code /v1/messages} or it carries {@code anthropic-version} (which no OpenAI SDK
 * sends), so both protocols share the deployment's port and {@code /v1/models}.
 *
 * <p>Order of checks for messages: API key ({@code x-api-key} or {@code Authorization: Bearer}, any non-empty value;
 * 401), then {@code anthropic-version} (400 unless {@code 2023-06-01} or {@code 2026-10-21}), then the deployment's
 * fault, then JSON syntax (400), then the fields (400, or 404 for an unknown model). Each message request ends in
 * exactly one ledger entry with endpoint {@code messages}; token counting and model listings are not recorded and
 * are not affected by faults. Every response carries {@code request-id}: the caller's {@code x-request-id} if it
 * sent one (so a gateway's id reaches the ledger), else a fresh {@code req_…}; error bodies repeat it.
 */
final class AnthropicRoutes implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AnthropicRoutes.class);
  private static final String CREATED_AT = Instant.ofEpochSecond(OpenAiRoutes.MODEL_CREATED).toString();
  private static final int DEFAULT_PAGE = 20;
  private static final int MAX_PAGE = 1000;

  private final Deployment deployment;

  AnthropicRoutes(Deployment deployment) {
    this.deployment = deployment;
  }

  /** True if {@code req} is an Anthropic request: a Messages path, or any request carrying {@code anthropic-version}. */
  static boolean claims(HttpServerRequest req) {
    String path = req.path();
    return path.equals("/v1/messages") || path.startsWith("/v1/messages/") || req.getHeader("anthropic-version") != null;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String rid = req.getHeader("x-request-id");
    if (rid == null || rid.isBlank()) rid = Wire.requestId();
    req.response().putHeader("request-id", rid);
    Exchange ex = null;
    try {
      String path = req.path();
      HttpMethod m = req.method();
      if (path.equals("/v1/messages") && m == HttpMethod.POST) {
        ex = messages(req, rid);
      } else if (path.equals("/v1/messages/count_tokens") && m == HttpMethod.POST) {
        countTokens(req, rid);
      } else if (path.equals("/v1/models") && m == HttpMethod.GET) {
        ApiError denied = admission(req);
        if (denied != null) plainError(req.response(), denied, rid);
        else listModels(req, rid);
      } else if (path.startsWith("/v1/models/") && m == HttpMethod.GET) {
        ApiError denied = admission(req);
        if (denied != null) plainError(req.response(), denied, rid);
        else retrieveModel(req.response(), path.substring("/v1/models/".length()), rid);
      } else {
        plainError(req.response(), AnthropicErrors.notFound("Not found: " + m.name() + " " + path), rid);
      }
    } catch (RuntimeException e) {
      internalError(req, ex, rid, e);
    }
  }

  private Exchange messages(HttpServerRequest req, String rid) {
    Exchange ex = new Exchange(deployment, req, rid, "messages", e -> AnthropicErrors.body(e, rid));
    req.body().onComplete(ar -> {
      if (ar.failed()) { // the client left while sending the body
        ex.finish("cancelled");
        return;
      }
      try {
        begin(ex, ar.result());
      } catch (RuntimeException e) {
        internalError(req, ex, rid, e);
      }
    });
    return ex;
  }

  private void begin(Exchange ex, Buffer body) {
    if (ex.finished()) return;
    ApiError denied = admission(ex.request);
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
    ex.model = ChatRequest.modelOf(root);
    ex.stream = ChatRequest.streamOf(root);

    if (ex.applyFault(deployment.takeFault(), status -> AnthropicErrors.forStatus(status, deployment.name()))) return;

    if (root == null || root.isMissingNode()) {
      ex.fail(notJson(), null);
      return;
    }
    String version = ex.request.getHeader("anthropic-version");
    try {
      ChatRequest request = MessagesRequest.parse(root, deployment.models(), version);
      ChatResponder.answer(ex, request, (r, choices, prompt) ->
          new MessagesWire(Wire.id("msg_"), r.model(), choices.getFirst(), prompt));
    } catch (ApiError e) {
      ex.fail(e, null);
    }
  }

  private void countTokens(HttpServerRequest req, String rid) {
    req.body().onSuccess(body -> {
      HttpServerResponse resp = req.response();
      try {
        ApiError denied = admission(req);
        if (denied != null) {
          plainError(resp, denied, rid);
          return;
        }
        JsonNode root;
        try {
          root = Json.MAPPER.readTree(body.getBytes());
        } catch (JacksonException e) {
          root = null;
        }
        if (root == null || root.isMissingNode()) {
          plainError(resp, notJson(), rid);
          return;
        }
        int tokens = MessagesRequest.countTokens(root, deployment.models(), req.getHeader("anthropic-version"));
        Buffer out = Buffer.buffer(32);
        try (JsonGenerator g = Wire.generator(out)) {
          g.writeStartObject();
          g.writeNumberProperty("input_tokens", tokens);
          g.writeEndObject();
        }
        resp.putHeader("content-type", Wire.JSON).end(out);
      } catch (ApiError e) {
        plainError(resp, e, rid);
      } catch (RuntimeException e) {
        internalError(req, null, rid, e);
      }
    });
  }

  /** The key and version checks every Anthropic route makes; null if the request may proceed. */
  private static ApiError admission(HttpServerRequest req) {
    if (!authorized(req)) return AnthropicErrors.missingKey();
    String version = req.getHeader("anthropic-version");
    if (version == null || version.isBlank()) {
      return AnthropicErrors.invalid("anthropic-version: header is required");
    }
    if (!MessagesRequest.VERSIONS.contains(version)) {
      return AnthropicErrors.invalid("anthropic-version: invalid version '" + version + "'; supported versions: "
          + MessagesRequest.V2023 + ", " + MessagesRequest.V2026);
    }
    return null;
  }

  /** Either header with any non-empty key: the simulator checks presence, as a gateway test needs. */
  private static boolean authorized(HttpServerRequest req) {
    String key = req.getHeader("x-api-key");
    if (key != null && !key.isBlank()) return true;
    String auth = req.getHeader("authorization");
    return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank();
  }

  private static ApiError notJson() {
    return AnthropicErrors.invalid("There was an error parsing the body of your request: it is not valid JSON.");
  }

  /**
   * {@code GET /v1/models}: every served model, in configuration order, paged with {@code limit} (1..1000, default
   * 20), {@code after_id} and {@code before_id} as Anthropic pages.
   */
  private void listModels(HttpServerRequest req, String rid) {
    List<String> all = deployment.models();
    int limit = DEFAULT_PAGE;
    String limitParam = req.getParam("limit");
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_PAGE) {
        plainError(req.response(), AnthropicErrors.invalid("limit: Input should be between 1 and " + MAX_PAGE), rid);
        return;
      }
    }
    int from = 0;
    int to = all.size();
    String after = req.getParam("after_id");
    String before = req.getParam("before_id");
    if (after != null && before != null) {
      plainError(req.response(), AnthropicErrors.invalid("after_id and before_id cannot both be set"), rid);
      return;
    }
    if (after != null) {
      int at = all.indexOf(after);
      if (at < 0) {
        plainError(req.response(), AnthropicErrors.invalid("after_id: unknown model '" + after + "'"), rid);
        return;
      }
      from = at + 1;
      to = Math.min(all.size(), from + limit);
    } else if (before != null) {
      int at = all.indexOf(before);
      if (at < 0) {
        plainError(req.response(), AnthropicErrors.invalid("before_id: unknown model '" + before + "'"), rid);
        return;
      }
      to = at;
      from = Math.max(0, to - limit);
    } else {
      to = Math.min(all.size(), limit);
    }
    List<String> page = all.subList(from, to);
    boolean hasMore = before != null ? from > 0 : to < all.size();
    Buffer out = Buffer.buffer(96 + 160 * page.size());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("data");
      for (String id : page) model(g, id);
      g.writeEndArray();
      g.writeBooleanProperty("has_more", hasMore);
      g.writeStringProperty("first_id", page.isEmpty() ? null : page.getFirst());
      g.writeStringProperty("last_id", page.isEmpty() ? null : page.getLast());
      g.writeEndObject();
    }
    req.response().putHeader("content-type", Wire.JSON).end(out);
  }

  private void retrieveModel(HttpServerResponse resp, String rawId, String rid) {
    String id = URLDecoder.decode(rawId.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (!deployment.models().contains(id)) {
      plainError(resp, AnthropicErrors.modelNotFound(id), rid);
      return;
    }
    Buffer out = Buffer.buffer(160);
    try (JsonGenerator g = Wire.generator(out)) {
      model(g, id);
    }
    resp.putHeader("content-type", Wire.JSON).end(out);
  }

  /** A model as Anthropic lists it; anthropic-java 3.14 requires {@code lifecycle} as well as the classic fields. */
  private static void model(JsonGenerator g, String id) {
    g.writeStartObject();
    g.writeStringProperty("type", "model");
    g.writeStringProperty("id", id);
    g.writeStringProperty("display_name", displayName(id));
    g.writeStringProperty("created_at", CREATED_AT);
    g.writeStringProperty("lifecycle", "active");
    g.writeEndObject();
  }

  /** {@code sim-large} → {@code Sim Large}. */
  static String displayName(String id) {
    StringBuilder sb = new StringBuilder(id.length());
    for (String word : id.split("[-_]")) {
      if (word.isEmpty()) continue;
      if (!sb.isEmpty()) sb.append(' ');
      sb.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
    }
    return sb.isEmpty() ? id : sb.toString();
  }

  private static void plainError(HttpServerResponse resp, ApiError e, String rid) {
    resp.setStatusCode(e.status).putHeader("content-type", Wire.JSON).end(AnthropicErrors.body(e, rid));
  }

  /** The outer guard (STACK.md, Vert.x trap 2): a bug answers 500 or resets, and never leaves the client hanging. */
  private void internalError(HttpServerRequest req, Exchange ex, String rid, RuntimeException e) {
    LOG.error("{}: internal error on {} {}", deployment.name(), req.method(), req.path(), e);
    HttpServerResponse resp = req.response();
    if (ex != null) ex.finish("error:500");
    if (resp.ended()) return;
    if (resp.headWritten()) {
      req.connection().close();
    } else {
      plainError(resp, new ApiError(500, "api_error", "The simulator failed: " + e, null, null), rid);
    }
  }
}
