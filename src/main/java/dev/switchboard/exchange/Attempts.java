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

  /**
   * The attempt in flight broke a stream after bytes reached the client. Only a model that continues streams
   * can do anything about it.
   *
   * @return true when a continuation has been started or scheduled, to be spliced into the client's stream: the
   *     exchange then stays open, and the client never sees this failure
   */
  default boolean resume(GatewayError error, String outcome) {
    return false;
  }

  /** Attempt {@code number} began a successful (2xx) answer: it wins, any other in flight is cancelled. */
  void answered(int number);

  /** Attempt {@code number} is in flight; {@code cancel} stops it (resets its upstream request). */
  default void started(int number, Runnable cancel) {}

  /**
   * Attempt {@code number} failed before any byte reached the client while another attempt (a hedge) is still
   * running: true when that other attempt carries on, so this failure needs nothing more.
   */
  default boolean absorbed(int number, GatewayError error, String outcome) {
    return false;
  }

  /** What {@code usage} cost at the serving deployment's price, in USD, or null when unknown. */
  default java.math.BigDecimal cost(dev.switchboard.canonical.Usage usage) {
    return null;
  }

  /** The deployment of the attempt in flight or last made ({@code provider/upstream-model}), or null. */
  default String deployment() {
    return null;
  }

  /** That deployment's region, or null. */
  default String region() {
    return null;
  }

  /** Upstream attempts made so far. */
  default int count() {
    return 0;
  }

  /** The exchange ended, one way or another; called once, before the observers hear of it. */
  void ended(ExchangeRecord record);
}
