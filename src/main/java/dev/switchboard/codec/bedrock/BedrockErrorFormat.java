package dev.switchboard.codec.bedrock;

import dev.switchboard.codec.ExactJson;
import dev.switchboard.exchange.ErrorFormat;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.stream.eventstream.EventStreamEncoder;
import dev.switchboard.stream.eventstream.EventStreamMessage;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock's error shape (PROTOCOLS.md 3.6, 3.7): a JSON body {@code {"message":"…"}} whose code travels in the
 * {@code x-amzn-ErrorType} header (the front door sets it from {@link #errorType} and the status from
 * {@link #status}), and inside a ConverseStream an exception frame whose {@code :exception-type} is the camelCase
 * union member the SDKs map to a typed exception.
 *
 * <p>Codes by status: 400 (also 413, 415, 422) {@code ValidationException}, 401 {@code UnrecognizedClientException}
 * (sent as 403, as AWS does for bad credentials), 403 {@code AccessDeniedException}, 404
 * {@code ResourceNotFoundException}, 408 and 504 {@code ModelTimeoutException} (408), 409 {@code ConflictException},
 * 424 {@code ModelErrorException}, 429 {@code ThrottlingException}, 500 and 502 {@code InternalServerException}
 * (500), 503 and 529 {@code ServiceUnavailableException} (503); others by kind. Thread-safe.
 */
public final class BedrockErrorFormat implements ErrorFormat {
  /** For Converse and ConverseStream. */
  public static final BedrockErrorFormat INSTANCE = new BedrockErrorFormat(false);
  /**
   * For InvokeModel and InvokeModelWithResponseStream, whose stream union, unlike ConverseStream's, has a
   * {@code modelTimeoutException} member.
   */
  public static final BedrockErrorFormat INVOKE = new BedrockErrorFormat(true);

  private final boolean timeoutMember;

  private BedrockErrorFormat(boolean timeoutMember) {
    this.timeoutMember = timeoutMember;
  }

  /** True for the formats of every Bedrock operation. */
  public static boolean isBedrock(ErrorFormat format) {
    return format == INSTANCE || format == INVOKE;
  }

  @Override
  public Buffer body(GatewayError error) {
    return ExactJson.json(g -> {
      g.writeStartObject();
      g.writeStringProperty("message", error.message());
      g.writeEndObject();
    });
  }

  /** One encoded exception frame that makes the SDKs throw the matching typed exception. */
  @Override
  public Buffer streamEvent(GatewayError error) {
    String type = timeoutMember && errorType(error).equals("ModelTimeoutException") ? "modelTimeoutException"
        : exceptionType(error);
    return EventStreamEncoder.encode(EventStreamMessage.exceptionWithMessage(type, error.message()));
  }

  /** The {@code x-amzn-ErrorType} value for this error. */
  @Override
  public int httpStatus(GatewayError error) {
    return status(error);
  }

  @Override
  public void putHeaders(GatewayError error, io.vertx.core.http.HttpServerResponse response) {
    response.putHeader("x-amzn-ErrorType", errorType(error));
  }

  public static String errorType(GatewayError error) {
    // An error that already carries an AWS code (a SigV4 failure, say) keeps it: the SDKs act on the exact name.
    if (error.code() != null && error.code().endsWith("Exception")) return error.code();
    // A spent budget: Bedrock's quota error, a 400 the AWS SDKs raise as ServiceQuotaExceededException and never retry.
    if (GatewayError.INSUFFICIENT_QUOTA.equals(error.code())) return "ServiceQuotaExceededException";
    return switch (error.status()) {
      case 400, 413, 415, 422 -> "ValidationException";
      case 401 -> "UnrecognizedClientException";
      case 403 -> error.kind() == GatewayError.Kind.AUTHENTICATION ? "UnrecognizedClientException"
          : "AccessDeniedException";
      case 404 -> "ResourceNotFoundException";
      case 408, 504 -> "ModelTimeoutException";
      case 409 -> "ConflictException";
      case 424 -> "ModelErrorException";
      case 429 -> "ThrottlingException";
      case 500, 502 -> "InternalServerException";
      case 503, 529 -> "ServiceUnavailableException";
      default -> switch (error.kind()) {
        case INVALID_REQUEST, TOO_LARGE, UNSUPPORTED_MEDIA -> "ValidationException";
        case AUTHENTICATION -> "UnrecognizedClientException";
        case PERMISSION -> "AccessDeniedException";
        case NOT_FOUND -> "ResourceNotFoundException";
        case RATE_LIMIT -> "ThrottlingException";
        case TIMEOUT -> "ModelTimeoutException";
        case UNAVAILABLE -> "ServiceUnavailableException";
        case UPSTREAM -> "ModelErrorException";
        case INTERNAL -> "InternalServerException";
      };
    };
  }

  /** The HTTP status Bedrock clients expect with {@link #errorType}. */
  public static int status(GatewayError error) {
    String type = errorType(error);
    if (type.equals(error.code())) return error.status();
    return switch (type) {
      case "ValidationException", "ServiceQuotaExceededException" -> 400;
      case "UnrecognizedClientException", "AccessDeniedException" -> 403;
      case "ResourceNotFoundException" -> 404;
      case "ModelTimeoutException" -> 408;
      case "ConflictException" -> 409;
      case "ModelErrorException" -> 424;
      case "ThrottlingException" -> 429;
      case "ServiceUnavailableException" -> 503;
      default -> 500;
    };
  }

  /**
   * The ConverseStream exception member for this error (InvokeModelWithResponseStream's adds
   * {@code modelTimeoutException}, see {@link #INVOKE}): {@code validationException}, {@code throttlingException},
   * {@code serviceUnavailableException}, {@code internalServerException}, else {@code modelStreamErrorException}
   * (the union has no member for timeouts or model errors).
   */
  public static String exceptionType(GatewayError error) {
    return switch (errorType(error)) {
      case "ValidationException" -> "validationException";
      case "ThrottlingException" -> "throttlingException";
      case "ServiceUnavailableException" -> "serviceUnavailableException";
      case "InternalServerException" -> "internalServerException";
      default -> "modelStreamErrorException";
    };
  }
}
