package dev.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.access.KeyMaker;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor redactor = new Redactor(List.of("acct-[0-9]{6}"), List.of("upstream-provider-key-42"));

  @Test
  void apiKeysOfEveryKindAreRedacted() {
    String gatewayKey = KeyMaker.newKey(KeyMaker.newId());
    String text = "openai sk-proj-abcdefghijklmnop1234 anthropic sk-ant-api03-xyzXYZ0123456789 mine " + gatewayKey
        + " master sk-sb-e2e-master-key-0123456789.";
    String out = redactor.redact(text);
    assertThat(out).doesNotContain("sk-proj-abc").doesNotContain("api03").doesNotContain(gatewayKey)
        .doesNotContain("master-key").endsWith("master [REDACTED].");
    assertThat(out).contains("openai [REDACTED] anthropic [REDACTED] mine [REDACTED]");
  }

  @Test
  void bearerTokensAndAwsKeysAreRedacted() {
    String out = redactor.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and AKIAIOSFODNN7EXAMPLE "
        + "and " + KeyMaker.newAccessKeyId() + " and aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assertThat(out).isEqualTo("Authorization: Bearer [REDACTED] and [REDACTED] and [REDACTED] and "
        + "aws_secret_access_key = [REDACTED]");
  }

  @Test
  void configuredPatternsAndProviderKeysAreRedacted() {
    assertThat(redactor.redact("account acct-123456 via upstream-provider-key-42"))
        .isEqualTo("account [REDACTED] via [REDACTED]");
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String text = "Ask about the sky-blue task: risk-free, AKIA is just a word, bearer of news.";
    assertThat(redactor.redact(text)).isEqualTo(text);
    assertThat(redactor.redact(null)).isNull();
  }
}
