package dev.switchboard.provider;

import io.vertx.core.Future;

/** An upstream that serves models: one instance per configured or discovered provider. Thread-safe. */
public interface Provider {

  /** The provider's unique name, as in config and in the {@code x-switchboard-provider} header. */
  String name();

  /** A one-line description for the banner and logs; never contains credentials. */
  String describe();

  /** Releases its connections. */
  Future<Void> close();
}
