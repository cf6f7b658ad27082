package dev.switchboard.aws.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The canonical forms, piece by piece (PROTOCOLS.md 0.3): URI, query, header values, dates. */
final class SigV4CanonicalTest {

  @Test
  void theRawPathIsEncodedOnceMoreKeepingSlashes() {
    assertThat(Canonical.uri("/model/anthropic.claude-x-v1%3A0/converse"))
        .isEqualTo("/model/anthropic.claude-x-v1%253A0/converse");
    assertThat(Canonical.uri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile"
        + "%2Fus.anthropic.claude-x/converse-stream"))
        .isEqualTo("/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile"
            + "%252Fus.anthropic.claude-x/converse-stream");
    assertThat(Canonical.uri("")).isEqualTo("/");
    assertThat(Canonical.uri("/")).isEqualTo("/");
    assertThat(Canonical.uri("/a b+c:d@e")).isEqualTo("/a%20b%2Bc%3Ad%40e");
    assertThat(Canonical.uri("/\u00e9/\uD83D\uDE00")).isEqualTo("/%C3%A9/%F0%9F%98%80");
  }

  @Test
  void pathSegmentsAreEncodedForTheWireAsTheSdksDo() {
    assertThat(SigV4Signer.encodePathSegment("anthropic.claude-3-5-sonnet-20240620-v1:0"))
        .isEqualTo("anthropic.claude-3-5-sonnet-20240620-v1%3A0");
    assertThat(SigV4Signer.encodePathSegment(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x"))
        .isEqualTo("arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-x");
    assertThat(SigV4Signer.encodePathSegment("-._~ AZaz09%")).isEqualTo("-._~%20AZaz09%25");
  }

  @Test
  void theQueryIsReencodedSortedByNameThenValue() {
    assertThat(Canonical.query(null)).isEmpty();
    assertThat(Canonical.query("")).isEmpty();
    assertThat(Canonical.query("b=2&a=1&a=0")).isEqualTo("a=0&a=1&b=2");
    assertThat(Canonical.query("a-b=1&a=2")).as("by name, not by 'name=value'").isEqualTo("a=2&a-b=1");
    assertThat(Canonical.query("flag&x=")).isEqualTo("flag=&x=");
    assertThat(Canonical.query("=orphan&&x=1&")).as("empty names are not signed").isEqualTo("x=1");
    assertThat(Canonical.query("k=%7e%2f%3a")).as("escapes decoded, re-encoded upper-case")
        .isEqualTo("k=~%2F%3A");
    assertThat(Canonical.query("k=a+b c")).as("'+' is a literal plus").isEqualTo("k=a%2Bb%20c");
    assertThat(Canonical.query("k=100%&j=%zz")).as("a stray '%' is itself encoded").isEqualTo("j=%25zz&k=100%25");
    assertThat(Canonical.query("k=a=b")).as("split on the first '='").isEqualTo("k=a%3Db");
  }

  @Test
  void headerValuesAreTrimmedAndInnerWhitespaceCollapsed() {
    assertThat(Canonical.headerValue("  attempt=1;   max=4 \t")).isEqualTo("attempt=1; max=4");
    assertThat(Canonical.headerValue("a\t\r\n b")).isEqualTo("a b");
    assertThat(Canonical.headerValue("   ")).isEmpty();
    assertThat(Canonical.headerValue("\"a   b   c\"")).isEqualTo("\"a b c\"");
  }

  @Test
  void amzDatesAreIso8601BasicInUtc() {
    Instant t = Instant.parse("2026-02-28T23:59:59.999Z");
    assertThat(AmzDate.format(t)).isEqualTo("20260228T235959Z");
    assertThat(AmzDate.parse("20260228T235959Z")).isEqualTo(Instant.parse("2026-02-28T23:59:59Z"));
    assertThat(AmzDate.parse("20260229T000000Z")).as("no 29 February in 2026").isNull();
    assertThat(AmzDate.parse("2026-02-28T23:59:59Z")).isNull();
    assertThat(AmzDate.parse("20260228T235959")).isNull();
    assertThat(AmzDate.parse("2026022８T235959Z")).as("only ASCII digits").isNull();
  }
}
