package dev.switchboard.testing;

import dev.switchboard.util.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * A real OpenAI-compatible upstream on loopback that remembers every request it receives (method, path, headers and the
 * exact body bytes) and answers with a fixed completion: {@link #TEXT} as one JSON body, or, for {@code "stream": true},
 * as an SSE stream that ends with a usage chunk when (and only when) the request asked for
 * {@code stream_options.include_usage}, as OpenAI does; {@code POST /v1/messages} gets the same text as one Anthropic
 * message. It exists because the simulator does not expose what it
 * received; it is an upstream, not a stand-in for any gateway class.
 */
public final class RecordingUpstream {
  /** The answer's content; streamed as the two deltas {@code "Hello"} and {@code " world"}. */
  public static final String TEXT = "Hello world";
  public static final int PROMPT_TOKENS = 7;
  public static final int COMPLETION_TOKENS = 2;

  /** One request as received. Header names are lower-case; {@link #body} is exactly the bytes on the wire. */
  public record Received(String method, String path, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      return Json.MAPPER.readTree(body);
    }
  }

  private final HttpServer server;
  private final AwaitableLog<Received> received = new AwaitableLog<>();

  private RecordingUpstream(HttpServer server) {
    this.server = server;
  }

  public static Future<RecordingUpstream> start(Vertx vertx) {
    RecordingUpstream[] self = new RecordingUpstream[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req));
    self[0] = new RecordingUpstream(server);
    return server.listen(0, "127.0.0.1").map(s -> self[0]);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** The base URL without {@code /v1}, as Anthropic-protocol providers take it. */
  public String rootUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public AwaitableLog<Received> received() {
    return received;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Map<String, String> headers = new TreeMap<>();
      req.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      Received r = new Received(req.method().name(), req.path(), Map.copyOf(headers), body.getBytes());
      received.add(r); // before answering: once the client has its answer, the record is there
      JsonNode json = r.json();
      if (r.path().equals("/v1/messages")) {
        req.response().putHeader("content-type", "application/json").end(message(json.path("model").asString()));
      } else if (json.path("stream").asBoolean(false)) {
        stream(req, json.path("stream_options").path("include_usage").asBoolean(false));
      } else {
        req.response().putHeader("content-type", "application/json").end(completion(json.path("model").asString()));
      }
    });
  }

  /** An Anthropic Messages answer, for an upstream of type {@code anthropic} at {@link #rootUrl}. */
  private static String message(String model) {
    return """
        {"id":"msg_rec","type":"message","role":"assistant","model":"%s",\
        "content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn","stop_sequence":null,\
        "usage":{"input_tokens":%d,"output_tokens":%d}}"""
        .formatted(model, TEXT, PROMPT_TOKENS, COMPLETION_TOKENS);
  }

  private static String completion(String model) {
    return """
        {"id":"chatcmpl-rec","object":"chat.completion","created":1730000000,"model":"%s",\
        "choices":[{"index":0,"message":{"role":"assistant","content":"%s","refusal":null},\
        "logprobs":null,"finish_reason":"stop"}],\
        "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
        .formatted(model, TEXT, PROMPT_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS + COMPLETION_TOKENS);
  }

  private static void stream(HttpServerRequest req, boolean includeUsage) {
    String usageNull = includeUsage ? ",\"usage\":null" : "";
    String head = "{\"id\":\"chatcmpl-rec\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
        + "\"model\":\"upstream\",\"choices\":";
    StringBuilder sse = new StringBuilder();
    sse.append("data: ").append(head).append("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"finish_reason\":null}]").append(usageNull).append("}\n\n");
    for (String piece : new String[] {"Hello", " world"}) {
      sse.append("data: ").append(head).append("[{\"index\":0,\"delta\":{\"content\":\"").append(piece)
          .append("\"},\"finish_reason\":null}]").append(usageNull).append("}\n\n");
    }
    sse.append("data: ").append(head).append("[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]")
        .append(usageNull).append("}\n\n");
    if (includeUsage) {
      sse.append("data: ").append(head).append("[],\"usage\":{\"prompt_tokens\":").append(PROMPT_TOKENS)
          .append(",\"completion_tokens\":").append(COMPLETION_TOKENS).append(",\"total_tokens\":")
          .append(PROMPT_TOKENS + COMPLETION_TOKENS).append("}}\n\n");
    }
    sse.append("data: [DONE]\n\n");
    req.response().putHeader("content-type", "text/event-stream").setChunked(true)
        .end(Buffer.buffer(sse.toString()));
  }
}
