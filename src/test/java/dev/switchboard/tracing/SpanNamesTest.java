package dev.switchboard.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Span names stay few: the variable parts of paths are replaced, and provider types map to GenAI's names. */
final class SpanNamesTest {
  @Test
  void pathsWithIdsBecomeRouteTemplates() {
    assertThat(ExchangeSpans.route("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    assertThat(ExchangeSpans.route("/model/us.anthropic.claude-sonnet-4-20250514-v1:0/converse-stream"))
        .isEqualTo("/model/{modelId}/converse-stream");
    assertThat(ExchangeSpans.route("/model/anthropic.claude-3-haiku/invoke")).isEqualTo("/model/{modelId}/invoke");
    assertThat(ExchangeSpans.route("/admin/keys")).isEqualTo("/admin/keys");
    assertThat(ExchangeSpans.route("/admin/keys/k_123")).isEqualTo("/admin/keys/{id}");
    assertThat(ExchangeSpans.route("/admin/teams/t_1/spend")).isEqualTo("/admin/teams/{id}/spend");
  }

  @Test
  void providerTypesAndEndpointsUseTheGenAiConventionsValues() {
    assertThat(ExchangeSpans.system("bedrock")).isEqualTo("aws.bedrock");
    assertThat(ExchangeSpans.system("gemini")).isEqualTo("gcp.gemini");
    assertThat(ExchangeSpans.system("anthropic")).isEqualTo("anthropic");
    assertThat(ExchangeSpans.system("openai")).isEqualTo("openai");
    assertThat(ExchangeSpans.system("vllm")).isEqualTo("openai");
    assertThat(ExchangeSpans.operation("embeddings")).isEqualTo("embeddings");
    assertThat(ExchangeSpans.operation("converse")).isEqualTo("chat");
  }
}
