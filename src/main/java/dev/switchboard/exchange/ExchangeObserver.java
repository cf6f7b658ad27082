package dev.switchboard.exchange;

/**
 * Hears how each exchange ended; metering, metrics and the request log subscribe here. Called once per
 * exchange on its event loop: implementations must be fast, must not block and must not throw.
 */
@FunctionalInterface
public interface ExchangeObserver {
  ExchangeObserver NONE = record -> {};

  void ended(ExchangeRecord record);

  /**
   * The content of an exchange whose key has content logging on, right after {@link #ended} for the same record.
   * Same contract as {@code ended}; the content must go to the store only, never to a log line.
   */
  default void content(ExchangeRecord record, CapturedContent content) {}
}
