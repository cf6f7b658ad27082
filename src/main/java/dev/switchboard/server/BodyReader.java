package dev.switchboard.server;

import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** Reads a JSON request body into memory, refusing wrong content types (415) and bodies over the limit (413). */
final class BodyReader {
  private BodyReader() {}

  static void readJson(Exchange exchange, long limit, Handler<Buffer> then) {
    HttpServerRequest req = exchange.request();
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !type.regionMatches(true, 0, "application/json", 0, 16)) {
      closeAfter(exchange);
      exchange.fail(GatewayError.of(415, Kind.UNSUPPORTED_MEDIA, "Unsupported Content-Type '" + type
          + "'. Send the body as JSON with the header Content-Type: application/json.", "unsupported_media_type"),
          "rejected");
      return;
    }
    String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        length = -1;
      }
    }
    if (length > limit) {
      tooLarge(exchange, length, limit);
      return;
    }
    new Accumulator(exchange, limit, length, then).start();
  }

  /**
   * Collects the body. Most bodies arrive in one piece, which is then used as it is; only a body in several
   * pieces is copied into one buffer.
   */
  private static final class Accumulator {
    private final Exchange exchange;
    private final long limit;
    private final long declared;
    private final Handler<Buffer> then;
    private Buffer body;
    private boolean owned;
    private boolean over;

    Accumulator(Exchange exchange, long limit, long declared, Handler<Buffer> then) {
      this.exchange = exchange;
      this.limit = limit;
      this.declared = declared;
      this.then = then;
    }

    void start() {
      HttpServerRequest req = exchange.request();
      req.handler(this::piece);
      req.endHandler(v -> {
        if (!over && !exchange.ended()) then.handle(body == null ? Buffer.buffer() : body);
      });
    }

    private void piece(Buffer chunk) {
      if (over) return;
      long size = (body == null ? 0 : body.length()) + chunk.length();
      if (size > limit) {
        over = true;
        tooLarge(exchange, -1, limit); // replaces these handlers with discarding ones
        return;
      }
      if (body == null) {
        body = chunk;
      } else {
        if (!owned) {
          body = Buffer.buffer((int) Math.max(size, Math.min(declared, limit))).appendBuffer(body);
          owned = true;
        }
        body.appendBuffer(chunk);
      }
    }
  }

  private static void tooLarge(Exchange exchange, long length, long limit) {
    closeAfter(exchange);
    String size = length >= 0 ? " (" + length + " bytes)" : "";
    exchange.fail(GatewayError.of(413, Kind.TOO_LARGE, "The request body" + size + " is larger than this gateway's "
        + "limit of " + limit + " bytes. Send a smaller request, or raise server.body_limit.", "request_too_large"),
        "rejected");
  }

  /**
   * The rest of the body is read and thrown away (so the client, still sending, gets to read our answer
   * instead of a broken pipe), and the connection is closed once the request has ended: it cannot be reused.
   */
  private static void closeAfter(Exchange exchange) {
    HttpServerRequest req = exchange.request();
    exchange.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    req.handler(chunk -> {});
    req.endHandler(v -> req.connection().close());
  }
}
