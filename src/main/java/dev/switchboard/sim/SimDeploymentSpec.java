package dev.switchboard.sim;

import dev.switchboard.util.Checks;
import java.time.Duration;
import java.util.List;

/**
 * How one simulated deployment behaves.
 *
 * @param name unique name, used in the control API and the ledger
 * @param region region name; {@link Simulator#setRegionDown} takes all deployments of a region down together
 * @param models model ids served (chat, embeddings, Anthropic messages, Gemini generation, Bedrock); a request for any
 *     other model gets 404 ({@code model_not_found} from OpenAI routes, {@code not_found_error} from Anthropic ones,
 *     {@code NOT_FOUND} from Gemini ones) or, from Bedrock routes, 400 {@code ValidationException}
 * @param port port to listen on, 0 for an ephemeral one
 * @param timeToFirstToken wait before the response head (and, for streams, the first token)
 * @param tokensPerSecond generation speed per choice; {@code <= 0} means as fast as possible
 * @param outputTokens length of the generated filler answers (answers to "count to N" and "echo:" have their own length)
 * @param seed seeds the word generator together with a hash of the prompt, so answers are reproducible
 */
public record SimDeploymentSpec(String name, String region, List<String> models, int port,
    Duration timeToFirstToken, double tokensPerSecond, int outputTokens, long seed) {

  public SimDeploymentSpec {
    Checks.notBlank(name, "name");
    Checks.notBlank(region, "region");
    Checks.argument(models != null && !models.isEmpty(), "models of deployment %s : %s (expected: at least one model id)",
        name, models);
    models = List.copyOf(models);
    for (String m : models) Checks.notBlank(m, "model id of deployment " + name);
    Checks.between(port, 0, 65535, "port of deployment " + name);
    Checks.argument(timeToFirstToken != null && !timeToFirstToken.isNegative(),
        "timeToFirstToken of deployment %s : %s (expected: >= 0)", name, timeToFirstToken);
    Checks.argument(!Double.isNaN(tokensPerSecond) && !Double.isInfinite(tokensPerSecond),
        "tokensPerSecond of deployment %s : %s (expected: a finite number, <= 0 for no pacing)", name, tokensPerSecond);
    Checks.argument(outputTokens >= 0, "outputTokens of deployment %s : %s (expected: >= 0)", name, outputTokens);
  }
}
