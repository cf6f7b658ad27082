package dev.switchboard.access;

import dev.switchboard.exchange.GatewayError;

/** Admission said no: carries the error the client gets. Thrown without a stack trace; it is not a fault. */
final class Refusal extends RuntimeException {
  private final transient GatewayError error;

  Refusal(GatewayError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  GatewayError error() {
    return error;
  }
}
