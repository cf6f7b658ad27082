package dev.switchboard.config;

/** A configuration problem, with where it is (file:line:column when known) and what to do about it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
