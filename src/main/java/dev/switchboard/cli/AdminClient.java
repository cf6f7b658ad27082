package dev.switchboard.cli;

import dev.switchboard.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * The CLI's side of the admin API: requests to a running gateway with the master key, answers as JSON, and any
 * error turned into one line that says what went wrong ({@link Failure}). Not thread-safe; one per command.
 */
final class AdminClient implements AutoCloseable {
  private final URI base;
  private final String masterKey;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AdminClient(URI base, String masterKey) {
    this.base = base;
    this.masterKey = masterKey;
  }

  /** What the admin API or the connection said went wrong, as one line for the terminal. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  /** One path segment, percent-encoded (team names may hold spaces or slashes). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String query(String... pairs) {
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) continue;
      q.append(q.isEmpty() ? '?' : '&').append(pairs[i]).append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return q.toString();
  }

  JsonNode get(String path) {
    return Json.MAPPER.readTree(text("GET", path, null, "application/json"));
  }

  JsonNode send(String method, String path, Object body) {
    return Json.MAPPER.readTree(text(method, path, body == null ? null : Json.MAPPER.writeValueAsString(body),
        "application/json"));
  }

  /** The body of a successful answer as text. @throws Failure with the API's message otherwise */
  String text(String method, String path, String json, String accept) {
    return text(method, path, json, accept, java.util.Map.of());
  }

  /** As {@link #text(String, String, String, String)}, with more request headers (routing hints, say). */
  String text(String method, String path, String json, String accept, java.util.Map<String, String> headers) {
    HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + masterKey).header("accept", accept)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(req::header);
    if (json != null) req.header("content-type", "application/json");
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failure("cannot reach the gateway at " + base + " (" + e + "); is it running? Pass --url if it "
          + "listens elsewhere.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while waiting for the gateway at " + base);
    }
    if (resp.statusCode() / 100 == 2) return resp.body();
    String message;
    try {
      message = Json.MAPPER.readTree(resp.body()).path("error").path("message").asString(null);
    } catch (RuntimeException e) {
      message = null;
    }
    throw new Failure(message != null ? message : "the gateway answered " + resp.statusCode() + ": " + resp.body());
  }

  @Override
  public void close() {
    http.close();
  }
}
