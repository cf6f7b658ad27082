package dev.switchboard.frontdoor.openai;

import dev.switchboard.util.MediaTypes;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.codec.openai.OpenAiChatCodec;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.frontdoor.EncodingAnswerSink;
import dev.switchboard.frontdoor.StreamSplice;
import dev.switchboard.provider.ChatBackend;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.provider.openai.OpenAiCompatibleProvider;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Demand;
import dev.switchboard.routing.Demands;
import dev.switchboard.routing.Deployment;
import dev.switchboard.routing.Router;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI front door: {@code POST /v1/chat/completions}, {@code POST /v1/embeddings},
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}. Stateless and thread-safe.
 *
 * <p>Chat and embeddings requests routed to an OpenAI-compatible provider take the same-protocol fast path:
 * validated in one streaming pass, then relayed with only the model name rewritten (and, for streams,
 * {@code stream_options.include_usage} switched on so that usage can be metered). Streams of a model with
 * {@code continue_streams} take the canonical path even there, since only it can splice a continuation in.
 */
public final class OpenAiFrontDoor {
  /** Names what a translation could not carry; see docs/compatibility.md. */
  public static final String X_DROPPED = "x-switchboard-dropped";
  private static final OpenAiChatCodec CODEC = OpenAiChatCodec.create();

  private final Catalog catalog;
  private final Router router;

  public OpenAiFrontDoor(Catalog catalog, Router router) {
    this.catalog = catalog;
    this.router = router;
  }

  /** Handles a chat completion whose body has been read. Ends the exchange. */
  public void chat(Exchange exchange, Buffer body) {
    forward(exchange, body, OpenAiRequest.Kind.CHAT, "/chat/completions");
  }

  /** Handles an embeddings request whose body has been read. Ends the exchange. */
  public void embeddings(Exchange exchange, Buffer body) {
    forward(exchange, body, OpenAiRequest.Kind.EMBEDDINGS, "/embeddings");
  }

  private void forward(Exchange exchange, Buffer body, OpenAiRequest.Kind kind, String path) {
    OpenAiRequest request;
    try {
      request = OpenAiRequest.scan(body, kind);
    } catch (RejectedException e) {
      exchange.fail(e.error(), "rejected");
      return;
    }
    Catalog.Route route = catalog.resolve(request.model);
    if (route == null) {
      exchange.fail(modelNotFound(request.model), "rejected");
      return;
    }
    boolean stream = kind == OpenAiRequest.Kind.CHAT && request.stream;
    exchange.route(request.model, route.provider().name(), route.upstreamModel(), stream);
    exchange.strict(route.strict());
    exchange.maxOutputTokens(kind == OpenAiRequest.Kind.EMBEDDINGS ? Integer.valueOf(0) : maxOutput(request, route));
    Demand demand;
    try {
      demand = Demands.of(null, exchange.request().headers());
    } catch (IllegalArgumentException e) {
      exchange.fail(GatewayError.invalid(e.getMessage(), null, "invalid_header"), "rejected");
      return;
    }
    // A byte relay cannot splice a continuation into a stream, so such streams are translated even here.
    StreamSplice splice = null;
    if (stream && route.policy().continueStreams()) {
      String model = request.model;
      boolean includeUsage = Boolean.TRUE.equals(request.includeUsage);
      splice = new StreamSplice(new EncodingAnswerSink(exchange, r -> CODEC.encodeResponse(r, model),
          () -> CODEC.streamEncoder(model, includeUsage)::encode));
    }
    boolean continuable = splice != null;
    Translation translation = new Translation(body, kind, splice);
    router.dispatch(exchange, route, demand, d -> {
      if (d.provider() instanceof OpenAiCompatibleProvider provider && !continuable) {
        exchange.response().headers().remove(X_DROPPED);
        provider.relay(exchange, path, request.rewrite(body, d.upstreamModel(), stream),
            Boolean.TRUE.equals(request.includeUsage));
      } else {
        translation.send(exchange, d);
      }
    }, translation.splice);
  }

  /**
   * The most output the answer may have, for budgets: the client's limit over all its choices; without one, null
   * (admission then takes the deployments' largest {@code max_output}) unless it asked for several choices, which
   * admission cannot see: then that largest {@code max_output} (or 4096) for each.
   */
  private static Integer maxOutput(OpenAiRequest request, Catalog.Route route) {
    if (request.maxOutputTokens != null || request.choices <= 1) return request.maxOutputTokens;
    long each = 0;
    for (Deployment d : route.deployments()) {
      Integer max = d.settings().maxOutput();
      if (max != null) each = Math.max(each, max);
    }
    return (int) Math.min(Integer.MAX_VALUE, (each == 0 ? 4096 : each) * request.choices);
  }

  /**
   * A deployment of another protocol: the request goes through the canonical model (decoded once, for every
   * attempt that needs it) and the answer comes back in OpenAI's shape; what the upstream cannot carry is named
   * in {@code x-switchboard-dropped}.
   */
  private static final class Translation {
    private final Buffer body;
    private final OpenAiRequest.Kind kind;
    private OpenAiChatCodec.Decoded decoded;
    /** Keeps the client's stream whole across attempts, for a model that continues streams; else null. */
    private final StreamSplice splice;

    Translation(Buffer body, OpenAiRequest.Kind kind, StreamSplice splice) {
      this.body = body;
      this.kind = kind;
      this.splice = splice;
    }

    void send(Exchange exchange, Deployment d) {
      if (kind != OpenAiRequest.Kind.CHAT || !(d.provider() instanceof ChatBackend backend)) {
        exchange.fail(GatewayError.invalid("Model '" + exchange.model() + "' is served by provider '"
            + d.provider().name() + "', which has no " + (kind == OpenAiRequest.Kind.CHAT ? "chat" : "embeddings")
            + " endpoint for OpenAI clients.", "model", "unsupported_model"), "rejected");
        return;
      }
      if (decoded == null) {
        try {
          decoded = CODEC.decodeRequest(body);
        } catch (RejectedException e) {
          exchange.fail(e.error(), "rejected");
          return;
        }
      }
      ChatRequest request = decoded.request();
      if (request.choices() > 1) {
        exchange.fail(GatewayError.invalid("'n' greater than 1 is not supported for model '" + exchange.model()
            + "', whose provider answers one choice at a time; send n separate requests.", "n", "unsupported_value"),
            "rejected");
        return;
      }
      List<String> dropped = new ArrayList<>(decoded.dropped());
      boolean includeUsage = decoded.includeUsage();
      if (splice == null) {
        backend.chat(exchange, request, d.upstreamModel(), new EncodingAnswerSink(exchange,
            r -> CODEC.encodeResponse(r, request.model()),
            () -> CODEC.streamEncoder(request.model(), includeUsage)::encode), dropped);
      } else {
        StreamSplice.send(backend, exchange, request, d.upstreamModel(), splice, splice, dropped);
      }
      // The encoding (and so the list) is complete once chat() returns; the head leaves later.
      if (!exchange.response().headWritten()) {
        if (dropped.isEmpty()) exchange.response().headers().remove(X_DROPPED);
        else exchange.response().putHeader(X_DROPPED, String.join("; ", dropped));
      }
    }
  }

  /** {@code GET /v1/models}. */
  public void listModels(Exchange exchange) {
    List<Map<String, Object>> data = new ArrayList<>();
    for (Catalog.Route r : catalog.routes()) if (exchange.principal().allows(r.model())) data.add(model(r));
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("object", "list");
    list.put("data", data);
    json(exchange, list);
  }

  /** {@code GET /v1/models/{id}}; the id is already percent-decoded. */
  public void getModel(Exchange exchange, String id) {
    Catalog.Route r = catalog.resolve(id);
    if (r == null || !catalog.routes().contains(r) || !exchange.principal().allows(r.model())) {
      exchange.fail(modelNotFound(id), "rejected");
      return;
    }
    json(exchange, model(r));
  }

  /**
   * OpenAI's model object, plus (ignored by the SDKs, read by people and scripts) the model's routing strategy and
   * deployments with their regions and prices in USD per million tokens.
   */
  private Map<String, Object> model(Catalog.Route r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.model());
    m.put("object", "model");
    m.put("created", catalog.created());
    m.put("owned_by", r.provider().name());
    m.put("strategy", r.policy().strategy());
    List<Map<String, Object>> deployments = new ArrayList<>();
    for (Deployment d : r.deployments()) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("id", d.id());
      dm.put("region", d.region());
      var price = d.price();
      if (price != null) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("input", price.input());
        p.put("output", price.output());
        if (price.cacheRead() != null) p.put("cache_read", price.cacheRead());
        if (price.cacheWrite() != null) p.put("cache_write", price.cacheWrite());
        p.put("source", d.priceSource());
        dm.put("price_per_million_tokens", p);
      }
      deployments.add(dm);
    }
    m.put("deployments", deployments);
    return m;
  }

  private static void json(Exchange exchange, Object value) {
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(Buffer.buffer(Json.MAPPER.writeValueAsBytes(value)), null);
  }

  private GatewayError modelNotFound(String model) {
    List<String> names = catalog.names();
    String available = names.isEmpty() ? "" : " Available models: " + String.join(", ", names.subList(0,
        Math.min(20, names.size()))) + (names.size() > 20 ? ", …" : "") + " (GET /v1/models lists them all).";
    return new GatewayError(404, Kind.NOT_FOUND, "The model '" + model + "' does not exist or you do not have "
        + "access to it." + available, "model", "model_not_found", -1);
  }
}
