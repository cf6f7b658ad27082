package dev.switchboard.provider;

import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Turns what went wrong upstream into the error a client sees, naming the provider and what to do. */
final class UpstreamErrors {
  private UpstreamErrors() {}

  /** An upstream answered with a non-2xx status; its body (possibly cut at the limit) is in {@code body}. */
  static GatewayError fromResponse(String provider, HttpClientResponse resp, Buffer body) {
    int status = resp.statusCode();
    String upstreamMessage = null;
    String upstreamCode = null;
    String upstreamParam = null;
    try {
      JsonNode error = Json.MAPPER.readTree(body.getBytes()).path("error");
      if (error.isObject()) {
        upstreamMessage = error.path("message").asString(null);
        upstreamCode = error.path("code").isString() ? error.path("code").asString() : null;
        upstreamParam = error.path("param").isString() ? error.path("param").asString() : null;
      } else if (error.isString()) {
        upstreamMessage = error.asString(); // llama.cpp and some others
      }
    } catch (JacksonException | IllegalArgumentException e) {
      // not JSON: fall back to the raw text below
    }
    if (upstreamMessage == null) {
      String text = body.toString().strip();
      upstreamMessage = text.isEmpty() ? resp.statusMessage() : truncate(text, 500);
    }
    String message = "Provider '" + provider + "' answered HTTP " + status + ": " + upstreamMessage;
    long retryAfter = retryAfterSeconds(resp);
    if (status == 401 || status == 407) {
      // The client's key was fine; ours was not. A 401 would make the client blame its own key.
      return new GatewayError(502, Kind.UPSTREAM, message + " — check the api_key of provider '" + provider
          + "' in the Switchboard config", null, "upstream_auth_failed", -1);
    }
    Kind kind = switch (status) {
      case 400, 422 -> Kind.INVALID_REQUEST;
      case 403 -> Kind.PERMISSION;
      case 404 -> Kind.NOT_FOUND;
      case 413 -> Kind.TOO_LARGE;
      case 429 -> Kind.RATE_LIMIT;
      case 503 -> Kind.UNAVAILABLE;
      case 504 -> Kind.TIMEOUT;
      default -> status >= 500 ? Kind.UPSTREAM : Kind.INVALID_REQUEST;
    };
    int clientStatus = status >= 400 && status <= 599 ? status : 502;
    return new GatewayError(clientStatus, kind, message, upstreamParam, upstreamCode, retryAfter);
  }

  /** The upstream could not be reached or broke before answering. */
  static GatewayError unreachable(String provider, String url, Throwable cause) {
    if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
      return GatewayError.of(504, Kind.TIMEOUT, "Provider '" + provider + "' at " + url
          + " did not accept a connection in time (" + cause.getMessage() + "); try again, or raise timeouts.connect",
          "upstream_connect_timeout");
    }
    String reason = cause instanceof ConnectException ? "connection refused"
        : cause instanceof ClosedChannelException ? "connection closed" : String.valueOf(cause.getMessage());
    return GatewayError.of(502, Kind.UPSTREAM, "Could not reach provider '" + provider + "' at " + url + ": " + reason
        + ". The request was not served; try again.", "upstream_unreachable");
  }

  /** @param setting which of the provider's timeouts passed: first_byte, idle or total */
  static GatewayError timeout(String provider, String setting, long millis) {
    return GatewayError.of(504, Kind.TIMEOUT, "Provider '" + provider + "' did not answer in time: its "
        + setting + " timeout (" + millis + " ms) passed. Try again; an operator can raise providers[].timeouts."
        + setting + " in the Switchboard config.", "upstream_timeout");
  }

  static GatewayError broken(String provider, String detail) {
    return GatewayError.of(502, Kind.UPSTREAM, "Provider '" + provider + "' broke off the response: " + detail
        + ". The output is incomplete; retry the request.", "upstream_truncated");
  }

  /** The upstream's {@code retry-after} (seconds) or {@code retry-after-ms}, rounded up to seconds; -1 if none. */
  static long retryAfterSeconds(HttpClientResponse resp) {
    String ms = resp.getHeader("retry-after-ms");
    String s = resp.getHeader("retry-after");
    try {
      if (s != null) return Math.max(0, Long.parseLong(s.trim()));
      if (ms != null) return Math.max(0, (Long.parseLong(ms.trim()) + 999) / 1000);
    } catch (NumberFormatException e) {
      return -1; // an HTTP date; not worth parsing for a hint
    }
    return -1;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
