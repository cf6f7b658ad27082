package dev.switchboard.exchange;

/**
 * What the router of an exchange hears about its upstream attempts, so that it can try another deployment and
 * keep each deployment's health. Called on the exchange's event loop; implementations must be quick and must not
 * throw.
 */
public interface Attempts {
  /**
   * The attempt in flight failed before any byte reached the client.
   *
   * @return true when another attempt has been started or scheduled: the exchange then stays open, and the
   *     client never sees this failure
   */
  boolean retry(GatewayError error, String outcome);

  /** The attempt in flight began a successful (2xx) answer. */
  void answered();

  /**
   * What {@code usage} cost at the serving deployment's price, as a decimal number of USD, or null when unknown;
   * asked when an answer completes before its head was sent.
   */
  default String cost(dev.switchboard.canonical.Usage usage) {
    return null;
  }

  /** The exchange ended, one way or another; called once, before the observers hear of it. */
  void ended(ExchangeRecord record);
}
