package dev.switchboard.admin;

/** A request field or query parameter the admin API cannot accept: a 400 that names it. */
final class BadInput extends RuntimeException {
  private final String field;

  BadInput(String field, String message) {
    super(message);
    this.field = field;
  }

  String field() {
    return field;
  }
}
