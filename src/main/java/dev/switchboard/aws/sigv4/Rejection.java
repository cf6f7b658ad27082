package dev.switchboard.aws.sigv4;

/**
 * Carries a {@link SigV4Result.Rejected} out of the verifier's checks to {@link SigV4Verifier}, which turns it back
 * into a result. Never escapes the package; it has no stack trace, so a flood of bad requests stays cheap.
 */
final class Rejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final transient SigV4Result.Rejected rejected;

  private Rejection(SigV4Result.Rejected rejected) {
    super(rejected.message(), null, false, false);
    this.rejected = rejected;
  }

  static Rejection of(SigV4Result.Failure failure, String format, Object... args) {
    return new Rejection(new SigV4Result.Rejected(failure, args.length == 0 ? format : String.format(format, args)));
  }
}
