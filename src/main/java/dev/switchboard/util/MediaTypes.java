package dev.switchboard.util;

import io.vertx.core.http.HttpHeaders;

/** Header values used on every response, pre-encoded once. */
public final class MediaTypes {
  public static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  public static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");

  private MediaTypes() {}
}
