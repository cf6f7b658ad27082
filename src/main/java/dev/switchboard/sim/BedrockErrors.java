package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import tools.jackson.core.JsonGenerator;

/**
 * Bedrock's error answers (PROTOCOLS.md 3.6): the status, the error code in {@code x-amzn-ErrorType} (with the
 * service namespace after a colon, as Bedrock sends it and clients strip it) and the body {@code {"message":"…"}}.
 * They travel as {@link ApiError}s whose {@code type} is the AWS error code; {@code param} and {@code code} are unused.
 *
 * <p>The AWS SDKs pick the exception class by the code, not the status, so a STATUS fault keeps its status and gets
 * the code Bedrock uses for it: 429 {@code ThrottlingException}, 503 {@code ServiceUnavailableException}, 408
 * {@code ModelTimeoutException}, and so on.
 */
final class BedrockErrors {
  private static final String NAMESPACE = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

  private BedrockErrors() {}

  static ApiError validation(String message) {
    return new ApiError(400, "ValidationException", message, null, null);
  }

  /** What Bedrock answers for a model id it does not serve. */
  static ApiError invalidModel() {
    return validation("The provided model identifier is invalid.");
  }

  static ApiError missingToken() {
    return new ApiError(403, "MissingAuthenticationTokenException", "Missing Authentication Token", null, null);
  }

  /** An {@code Authorization} header that is neither a whole SigV4 signature nor a bearer key. */
  static ApiError incompleteSignature() {
    return new ApiError(403, "IncompleteSignatureException", "Authorization header requires 'Credential', "
        + "'SignedHeaders' and 'Signature' parameters, and the request an 'X-Amz-Date' header; or use "
        + "'Authorization: Bearer <Bedrock API key>'.", null, null);
  }

  static ApiError invalidSignature(String message) {
    return new ApiError(403, "InvalidSignatureException", message, null, null);
  }

  static ApiError unknownOperation(String method, String path) {
    return new ApiError(404, "UnknownOperationException", "Unknown operation " + method + " " + path + "; operations: "
        + "POST /model/{modelId}/converse, /converse-stream, /invoke, /invoke-with-response-stream", null, null);
  }

  static ApiError internal(String message) {
    return new ApiError(500, "InternalServerException", message, null, null);
  }

  /** The error a STATUS fault answers with on the Bedrock routes. */
  static ApiError forStatus(int status, String deployment) {
    String where = " (simulated on " + deployment + ")";
    return switch (status) {
      case 400, 413, 422 -> validation("Simulated bad request" + where);
      case 401 -> new ApiError(401, "UnrecognizedClientException",
          "The security token included in the request is invalid." + where, null, null);
      case 403 -> new ApiError(403, "AccessDeniedException",
          "You don't have access to the model with the specified model ID." + where, null, null);
      case 404 -> new ApiError(404, "ResourceNotFoundException", "The requested resource was not found." + where,
          null, null);
      case 408 -> new ApiError(408, "ModelTimeoutException", "Model has timed out in processing the request." + where,
          null, null);
      case 424 -> new ApiError(424, "ModelErrorException", "The model failed to process the request." + where, null,
          null);
      case 429 -> new ApiError(429, "ThrottlingException", "Too many requests, please wait before trying again."
          + where, null, null);
      case 503 -> new ApiError(503, "ServiceUnavailableException", "Bedrock is unable to process your request."
          + where, null, null);
      default -> status >= 500
          ? new ApiError(status, "InternalServerException", "The server encountered an error processing your request."
              + where, null, null)
          : new ApiError(status, "ValidationException", "Simulated error " + status + where, null, null);
    };
  }

  /** Sets {@code x-amzn-ErrorType} on {@code response} and returns the body; call before the head is written. */
  static Buffer body(ApiError e, HttpServerResponse response) {
    response.putHeader("x-amzn-ErrorType", e.type + NAMESPACE);
    Buffer out = Buffer.buffer(32 + e.getMessage().length());
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("message", e.getMessage());
      g.writeEndObject();
    }
    return out;
  }
}
