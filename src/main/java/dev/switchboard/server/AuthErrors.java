package dev.switchboard.server;

import dev.switchboard.access.Authenticator.Verdict;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;

/** The 401 a client gets for each way its key can fail, saying what to do. */
final class AuthErrors {
  private AuthErrors() {}

  static GatewayError of(Verdict verdict) {
    return switch (verdict) {
      case MISSING -> GatewayError.of(401, Kind.AUTHENTICATION, "You didn't provide an API key. Send your Switchboard "
          + "key as 'Authorization: Bearer <key>' or 'x-api-key: <key>' (the master key is printed by 'switchboard "
          + "serve' on first start and stored in master.key in its state directory; 'switchboard keys create' makes "
          + "virtual keys).", "missing_api_key");
      case REVOKED -> GatewayError.of(401, Kind.AUTHENTICATION, "This API key has been revoked. Ask your Switchboard "
          + "administrator for a new one ('switchboard keys create').", "revoked_api_key");
      case EXPIRED -> GatewayError.of(401, Kind.AUTHENTICATION, "This API key has expired. Ask your Switchboard "
          + "administrator for a new one, or to extend it ('switchboard keys update --expires').", "expired_api_key");
      default -> GatewayError.of(401, Kind.AUTHENTICATION, "Incorrect API key provided. Use a key issued by this "
          + "Switchboard ('switchboard keys create'), or the master key (stored in master.key in its state "
          + "directory, or set with SWITCHBOARD_MASTER_KEY).", "invalid_api_key");
    };
  }
}
