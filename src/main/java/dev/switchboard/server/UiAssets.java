package dev.switchboard.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The dashboard's files under {@code /ui/}: a fixed list read from the classpath ({@code ui/}) once, so no request
 * path ever reaches a file system or class loader lookup and traversal has nothing to traverse. Served without a
 * key (the page asks for the master key and sends it to the admin API, which is what holds data). Revalidated by
 * ETag on every load so that an upgrade shows at once. Immutable and thread-safe.
 */
final class UiAssets {
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Map<String, Asset> ASSETS = Map.of(
      "/ui/", load("index.html", "text/html; charset=utf-8"),
      "/ui/app.js", load("app.js", "text/javascript; charset=utf-8"),
      "/ui/charts.js", load("charts.js", "text/javascript; charset=utf-8"),
      "/ui/style.css", load("style.css", "text/css; charset=utf-8"),
      "/ui/favicon.svg", load("favicon.svg", "image/svg+xml"));

  private record Asset(Buffer body, String type, String etag) {}

  private UiAssets() {}

  private static Asset load(String name, String type) {
    try (InputStream in = UiAssets.class.getResourceAsStream("/ui/" + name)) {
      if (in == null) throw new IllegalStateException("ui/" + name + " is missing from the classpath (the jar is "
          + "incomplete; rebuild it)");
      byte[] bytes = in.readAllBytes();
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(Buffer.buffer(bytes), type, '"' + HexFormat.of().formatHex(hash, 0, 12) + '"');
    } catch (IOException e) {
      throw new UncheckedIOException("reading ui/" + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers {@code GET} or {@code HEAD} for a path under {@code /ui}; 404 for any name not in the list. */
  static void serve(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    String path = req.path();
    if (path.equals("/ui")) {
      resp.setStatusCode(308).putHeader(HttpHeaders.LOCATION, "/ui/").end();
      return;
    }
    Asset a = ASSETS.get(path.equals("/ui/index.html") ? "/ui/" : path);
    resp.putHeader("x-content-type-options", "nosniff").putHeader("referrer-policy", "no-referrer");
    if (a == null) {
      resp.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("No such dashboard file: " + path + ". The dashboard is at /ui/.\n");
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      resp.setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD")
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(req.method() + " is not allowed on " + path + "; use GET.\n");
      return;
    }
    resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader(HttpHeaders.ETAG, a.etag())
        .putHeader("content-security-policy", CSP).putHeader("x-frame-options", "DENY");
    if (a.etag().equals(req.getHeader(HttpHeaders.IF_NONE_MATCH))) {
      resp.setStatusCode(304).end();
      return;
    }
    resp.putHeader(HttpHeaders.CONTENT_TYPE, a.type());
    if (req.method() == HttpMethod.HEAD) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(a.body().length())).end();
    } else {
      resp.end(a.body());
    }
  }
}
