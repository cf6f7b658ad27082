package dev.switchboard.aws.sigv4;

import static dev.switchboard.aws.sigv4.SigV4Result.Failure.INCOMPLETE_SIGNATURE;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/bedrock/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<hex>} header. Parsing is strict about structure and lenient about the spaces
 * around commas; every failure is an {@code IncompleteSignatureException} whose message names the part at fault and
 * never repeats anything but the credential and header names.
 */
record AuthorizationHeader(
    String accessKeyId, String date, String region, String service, List<String> signedHeaders, String signature) {

  static final String ALGORITHM = Signing.ALGORITHM;
  private static final String EXPECTED =
      " (expected: AWS4-HMAC-SHA256 Credential=<access key id>/<yyyyMMdd>/<region>/<service>/aws4_request, "
          + "SignedHeaders=<name;name;...>, Signature=<hex>)";

  static AuthorizationHeader parse(String header) {
    String value = header.strip();
    if (!value.startsWith(ALGORITHM) || value.length() == ALGORITHM.length()
        || !Character.isWhitespace(value.charAt(ALGORITHM.length()))) {
      int space = value.indexOf(' ');
      String scheme = space < 0 ? "" : value.substring(0, space);
      throw Rejection.of(INCOMPLETE_SIGNATURE,
          "Authorization header must use the AWS4-HMAC-SHA256 scheme (got %s); sign the request with AWS Signature "
              + "Version 4%s", looksLikeAName(scheme) ? "'" + scheme + "'" : "something else", EXPECTED);
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : value.substring(ALGORITHM.length()).split(",", -1)) {
      String p = part.strip();
      int eq = p.indexOf('=');
      String key = eq < 0 ? p : p.substring(0, eq);
      String v = eq < 0 ? null : p.substring(eq + 1).strip();
      switch (key) {
        case "Credential" -> credential = once(credential, v, key);
        case "SignedHeaders" -> signedHeaders = once(signedHeaders, v, key);
        case "Signature" -> signature = once(signature, v, key);
        default -> throw Rejection.of(INCOMPLETE_SIGNATURE, "Authorization header has an unexpected part %s%s",
            looksLikeAName(key) ? "'" + key + "'" : "(not a parameter name)", EXPECTED);
      }
    }
    List<String> missing = new ArrayList<>(3);
    if (credential == null || credential.isEmpty()) missing.add("'Credential'");
    if (signedHeaders == null || signedHeaders.isEmpty()) missing.add("'SignedHeaders'");
    if (signature == null || signature.isEmpty()) missing.add("'Signature'");
    if (!missing.isEmpty()) {
      throw Rejection.of(INCOMPLETE_SIGNATURE,
          "Authorization header requires %s parameter%s%s", String.join(", ", missing),
          missing.size() > 1 ? "s" : "", EXPECTED);
    }
    String[] scope = credential.split("/", -1);
    if (scope.length != 5 || !scope[4].equals("aws4_request") || scope[0].isEmpty() || scope[1].length() != 8
        || scope[2].isEmpty() || scope[3].isEmpty()) {
      throw Rejection.of(INCOMPLETE_SIGNATURE,
          "Authorization Credential '%s' is malformed (expected: <access key id>/<yyyyMMdd>/<region>/<service>/"
              + "aws4_request)", credential);
    }
    List<String> names = new ArrayList<>();
    for (String name : signedHeaders.split(";", -1)) {
      if (name.isEmpty()) {
        throw Rejection.of(INCOMPLETE_SIGNATURE,
            "Authorization SignedHeaders '%s' has an empty header name (expected: lower-case names joined by ';')",
            signedHeaders);
      }
      names.add(name.toLowerCase(Locale.ROOT));
    }
    return new AuthorizationHeader(scope[0], scope[1], scope[2], scope[3], List.copyOf(names), signature);
  }

  /** The credential scope as it goes into the string to sign: {@code date/region/service/aws4_request}. */
  String scope() {
    return date + "/" + region + "/" + service + "/aws4_request";
  }

  /** Only short alphabetic words are quoted back: anything else could be part of a token. */
  private static boolean looksLikeAName(String s) {
    if (s.isEmpty() || s.length() > 24) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '-') return false;
    }
    return true;
  }

  private static String once(String previous, String value, String key) {
    if (previous != null) {
      throw Rejection.of(INCOMPLETE_SIGNATURE, "Authorization header has '%s' more than once%s", key, EXPECTED);
    }
    return value == null ? "" : value;
  }
}
