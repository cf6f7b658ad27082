package dev.switchboard.routing;

import dev.switchboard.util.Ticker;
/**
 * An exponentially weighted moving average whose weight follows elapsed time, not sample count: a sample's
 * influence halves every {@code halfLifeNanos}, so a deployment that was slow a minute ago is not judged by it
 * after a burst of traffic elsewhere, nor forgiven by one fast answer. Empty until the first sample.
 *
 * <p>Thread-safe (synchronized).
 */
final class Ewma {
  private final double halfLifeNanos;
  private final Ticker ticker;
  private double value = Double.NaN;
  private long at;

  Ewma(long halfLifeNanos, Ticker ticker) {
    this.halfLifeNanos = halfLifeNanos;
    this.ticker = ticker;
  }

  synchronized void add(double sample) {
    long now = ticker.read();
    if (Double.isNaN(value)) {
      value = sample;
    } else {
      double keep = Math.pow(0.5, Math.max(0, now - at) / halfLifeNanos);
      // At least a tenth of the weight goes to the new sample, so simultaneous samples still count.
      keep = Math.min(keep, 0.9);
      value = keep * value + (1 - keep) * sample;
    }
    at = now;
  }

  /** The average, or NaN before the first sample. */
  synchronized double value() {
    return value;
  }
}
