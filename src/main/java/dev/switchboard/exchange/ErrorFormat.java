package dev.switchboard.exchange;

import io.vertx.core.buffer.Buffer;

/**
 * How one client protocol spells an error: as a whole HTTP response before anything was sent, and as an
 * in-stream event once a stream has started. One implementation per front door.
 */
public interface ErrorFormat {

  /** The JSON body of an error response. */
  Buffer body(GatewayError error);

  /** The JSON body of an error response for the exchange {@code requestId}, for protocols that repeat it. */
  default Buffer body(GatewayError error, String requestId) {
    return body(error);
  }

  /** The HTTP status for {@code error} in this protocol (AWS, for one, has no 401). */
  default int httpStatus(GatewayError error) {
    return error.status();
  }

  /** Adds the protocol's error headers (e.g. AWS's {@code x-amzn-ErrorType}) before the head is written. */
  default void putHeaders(GatewayError error, io.vertx.core.http.HttpServerResponse response) {}

  /** One complete stream event (including its terminating blank line) that makes the client SDK throw. */
  Buffer streamEvent(GatewayError error);
}
