package dev.switchboard.exchange;

/** Thrown while decoding a request that cannot be served; carries the error the client will see. */
public final class RejectedException extends RuntimeException {
  private final GatewayError error;

  public RejectedException(GatewayError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public GatewayError error() {
    return error;
  }
}
