package dev.switchboard.exchange;

/**
 * Hears how each exchange ended; metering, metrics and the request log subscribe here. Called once per
 * exchange on its event loop: implementations must be fast, must not block and must not throw.
 */
@FunctionalInterface
public interface ExchangeObserver {
  ExchangeObserver NONE = record -> {};

  void ended(ExchangeRecord record);
}
