package dev.switchboard.frontdoor.anthropic;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.ToolDefinition;
import dev.switchboard.codec.anthropic.AnthropicCodec;
import dev.switchboard.codec.anthropic.AnthropicStreamEncoder;
import dev.switchboard.frontdoor.EncodingAnswerSink;
import dev.switchboard.frontdoor.StreamSplice;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.provider.ChatBackend;
import dev.switchboard.provider.anthropic.AnthropicProvider;
import dev.switchboard.routing.Catalog;
import dev.switchboard.routing.Demand;
import dev.switchboard.routing.Demands;
import dev.switchboard.routing.Router;
import dev.switchboard.util.Json;
import dev.switchboard.util.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Anthropic front door: {@code POST /v1/messages}, {@code POST /v1/messages/count_tokens} and
 * {@code GET /v1/models} in Anthropic's shape. Requests are decoded into the canonical model and served by
 * any provider that can translate ({@link ChatBackend}); what the upstream cannot carry is named in the
 * {@code x-switchboard-dropped} response header. Stateless and thread-safe.
 */
public final class AnthropicFrontDoor {
  private static final Set<String> VERSIONS = Set.of(AnthropicCodec.VERSION_2023_06_01,
      AnthropicCodec.VERSION_2026_10_21);
  private static final Encoding TOKENS = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  /** Names what the translation could not carry; see docs/compatibility.md. */
  public static final String X_DROPPED = "x-switchboard-dropped";

  private final Catalog catalog;
  private final Router router;

  public AnthropicFrontDoor(Catalog catalog, Router router) {
    this.catalog = catalog;
    this.router = router;
  }

  /** Answers with the exchange's id in Anthropic's {@code request-id} header too. */
  public static void tag(Exchange exchange) {
    exchange.response().putHeader("request-id", exchange.requestId());
  }

  /** {@code POST /v1/messages} whose body has been read. Ends the exchange. */
  public void messages(Exchange exchange, Buffer body) {
    AnthropicCodec.Decoded decoded = decode(exchange, body);
    if (decoded == null) return;
    ChatRequest request = decoded.request();
    Catalog.Route route = catalog.resolve(request.model());
    if (route == null) {
      exchange.fail(notFound(request.model()), "rejected");
      return;
    }
    exchange.route(request.model(), route.provider().name(), route.upstreamModel(), request.stream());
    exchange.strict(route.strict());
    exchange.maxOutputTokens(request.maxOutputTokens());
    Demand demand;
    try {
      demand = Demands.of(request, exchange.request().headers());
    } catch (IllegalArgumentException e) {
      exchange.fail(GatewayError.invalid(e.getMessage(), null, "invalid_header"), "rejected");
      return;
    }
    String model = request.model();
    EncodingAnswerSink sink = new EncodingAnswerSink(exchange, r -> AnthropicCodec.encodeResponse(r, model),
        () -> new AnthropicStreamEncoder(model)::encode);
    // Keeps the client's stream whole across attempts when the model continues broken streams.
    StreamSplice splice = request.stream() && route.policy().continueStreams() ? new StreamSplice(sink) : null;
    router.dispatch(exchange, route, demand, d -> {
      if (!(d.provider() instanceof ChatBackend backend)) {
        exchange.fail(GatewayError.of(501, Kind.INTERNAL, "Model '" + model + "' is served by provider '"
            + d.provider().name() + "', which cannot serve Anthropic clients yet.", "unsupported_route"), "rejected");
        return;
      }
      List<String> dropped = new ArrayList<>(decoded.dropped());
      String beta = exchange.request().getHeader(AnthropicProvider.ANTHROPIC_BETA);
      if (beta != null && !(backend instanceof AnthropicProvider)) {
        dropped.add("anthropic-beta header '" + beta + "' (only Anthropic upstreams take it)");
      }
      StreamSplice.send(backend, exchange, request, d.upstreamModel(), sink, splice, dropped);
      // The encoding (and so the list) is complete once chat() returns; the head leaves later, at the
      // upstream's first byte.
      if (!exchange.response().headWritten()) {
        if (dropped.isEmpty()) exchange.response().headers().remove(X_DROPPED);
        else exchange.response().putHeader(X_DROPPED, String.join("; ", dropped));
      }
    }, splice);
  }

  /** {@code POST /v1/messages/count_tokens}: an estimate with the cl100k tokenizer. Ends the exchange. */
  public void countTokens(Exchange exchange, Buffer body) {
    AnthropicCodec.Decoded decoded = decode(exchange, withMaxTokens(body));
    if (decoded == null) return;
    ChatRequest r = decoded.request();
    StringBuilder text = new StringBuilder();
    r.system().forEach(t -> text.append(t.text()).append('\n'));
    for (Message m : r.messages()) {
      for (Part p : m.parts()) {
        switch (p) {
          case Part.Text t -> text.append(t.text());
          case Part.ToolCall c -> text.append(c.name()).append(c.arguments());
          case Part.ToolResult res -> res.content().forEach(c -> {
            if (c instanceof Part.Text t) text.append(t.text());
          });
          case Part.Reasoning th -> text.append(th.text());
          default -> { }
        }
        text.append('\n');
      }
    }
    for (ToolDefinition t : r.tools()) text.append(t.name()).append(t.description()).append(t.inputSchema());
    int tokens = TOKENS.countTokensOrdinary(text.toString()) + 3 * r.messages().size() + 3;
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(Buffer.buffer("{\"input_tokens\":" + tokens + "}"), null);
  }

  /** {@code GET /v1/models} in Anthropic's shape (the client sent {@code anthropic-version}). */
  public void listModels(Exchange exchange) {
    List<Map<String, Object>> data = new ArrayList<>();
    String created = Instant.ofEpochSecond(catalog.created()).toString();
    for (Catalog.Route r : catalog.routes()) {
      if (!exchange.principal().allows(r.model())) continue;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", "model");
      m.put("id", r.model());
      m.put("display_name", r.model());
      m.put("created_at", created);
      data.add(m);
    }
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("data", data);
    page.put("has_more", false);
    page.put("first_id", data.isEmpty() ? null : data.getFirst().get("id"));
    page.put("last_id", data.isEmpty() ? null : data.getLast().get("id"));
    exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.APPLICATION_JSON);
    exchange.complete(Buffer.buffer(Json.MAPPER.writeValueAsBytes(page)), null);
  }

  /** count_tokens takes a Messages body without {@code max_tokens}, which the decoder requires. */
  private static Buffer withMaxTokens(Buffer body) {
    try {
      if (Json.MAPPER.readTree(body.getBytes()) instanceof ObjectNode o && !o.has("max_tokens")) {
        o.put("max_tokens", 1);
        return Buffer.buffer(Json.MAPPER.writeValueAsBytes(o));
      }
    } catch (JacksonException e) {
      // not JSON: the decoder says so in Anthropic's words
    }
    return body;
  }

  private static AnthropicCodec.Decoded decode(Exchange exchange, Buffer body) {
    String version = exchange.request().getHeader("anthropic-version");
    if (version == null || version.isBlank()) {
      exchange.fail(GatewayError.invalid("anthropic-version: header is required. Send 'anthropic-version: "
          + AnthropicCodec.VERSION_2023_06_01 + "' or '" + AnthropicCodec.VERSION_2026_10_21 + "'.", null, null),
          "rejected");
      return null;
    }
    if (!VERSIONS.contains(version.trim())) {
      exchange.fail(GatewayError.invalid("anthropic-version: '" + version + "' is not a supported version; use "
          + AnthropicCodec.VERSION_2023_06_01 + " or " + AnthropicCodec.VERSION_2026_10_21 + ".", null, null),
          "rejected");
      return null;
    }
    try {
      return AnthropicCodec.decodeRequest(body, version.trim());
    } catch (RejectedException e) {
      exchange.fail(e.error(), "rejected");
      return null;
    }
  }

  private GatewayError notFound(String model) {
    List<String> names = catalog.names();
    return new GatewayError(404, Kind.NOT_FOUND, "model: " + model + " (no such model here; available: "
        + String.join(", ", names.subList(0, Math.min(20, names.size()))) + ")", "model", "model_not_found", -1);
  }
}
