package dev.switchboard.access;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.routing.Deployment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request's size before it is sent, for admission: input tokens counted by a tokenizer over the request body
 * (JSON punctuation included, so it leans high for text), and the most output it may produce: the client's
 * {@code max_tokens}, else the largest {@code max_output} of the deployments it may go to, else
 * {@value #DEFAULT_MAX_OUTPUT}. Computed once per exchange, and only when a limit or budget needs it.
 */
final class Estimate {
  static final int DEFAULT_MAX_OUTPUT = 4096;
  private static final Encoding TOKENS = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  final long inputTokens;
  final long maxOutputTokens;

  Estimate(long inputTokens, long maxOutputTokens) {
    this.inputTokens = inputTokens;
    this.maxOutputTokens = maxOutputTokens;
  }

  long tokens() {
    return inputTokens + maxOutputTokens;
  }

  static Estimate of(Exchange exchange, List<Deployment> order) {
    long input = exchange.body() == null ? 0
        : TOKENS.countTokensOrdinary(exchange.body().toString(StandardCharsets.UTF_8));
    Integer asked = exchange.maxOutputTokens();
    long output;
    if (asked != null) {
      output = asked;
    } else {
      output = 0;
      for (Deployment d : order) {
        Integer max = d.settings().maxOutput();
        if (max != null) output = Math.max(output, max);
      }
      if (output == 0) output = DEFAULT_MAX_OUTPUT;
    }
    return new Estimate(input, output);
  }
}
