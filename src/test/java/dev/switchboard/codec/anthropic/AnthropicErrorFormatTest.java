package dev.switchboard.codec.anthropic;

import static dev.switchboard.codec.anthropic.AnthropicTestSupport.assertJson;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.q;
import static dev.switchboard.codec.anthropic.AnthropicTestSupport.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.GatewayError.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicErrorFormatTest {
  @ParameterizedTest
  @CsvSource(textBlock = """
      400, INVALID_REQUEST,   invalid_request_error
      401, AUTHENTICATION,    authentication_error
      402, PERMISSION,        billing_error
      403, PERMISSION,        permission_error
      404, NOT_FOUND,         not_found_error
      408, TIMEOUT,           timeout_error
      409, INVALID_REQUEST,   conflict_error
      413, TOO_LARGE,         request_too_large
      415, UNSUPPORTED_MEDIA, invalid_request_error
      429, RATE_LIMIT,        rate_limit_error
      500, INTERNAL,          api_error
      502, UPSTREAM,          api_error
      503, UNAVAILABLE,       overloaded_error
      504, TIMEOUT,           timeout_error
      529, UNAVAILABLE,       overloaded_error
      418, INVALID_REQUEST,   invalid_request_error
      507, UNAVAILABLE,       overloaded_error
      599, UPSTREAM,          api_error
      """)
  void theTypeFollowsTheStatus(int status, Kind kind, String type) {
    assertThat(AnthropicErrorFormat.type(GatewayError.of(status, kind, "m", null))).isEqualTo(type);
  }

  @Test
  void theBodyHasAnthropicsShape() {
    GatewayError e = GatewayError.of(404, Kind.NOT_FOUND, "model: claude-nope", "model_not_found");
    assertJson(AnthropicErrorFormat.INSTANCE.body(e, "req_0123"),
        q("{'type':'error','error':{'type':'not_found_error','message':'model: claude-nope'},'request_id':'req_0123'}"));
    assertJson(AnthropicErrorFormat.INSTANCE.body(e),
        q("{'type':'error','error':{'type':'not_found_error','message':'model: claude-nope'}}"));
  }

  @Test
  void theStreamEventIsANamedErrorEventEndedByABlankLine() {
    GatewayError e = GatewayError.of(529, Kind.UNAVAILABLE, "Overloaded", null);
    assertThat(str(AnthropicErrorFormat.INSTANCE.streamEvent(e))).isEqualTo(
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
  }
}
