package dev.switchboard.server;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.provider.Provider;
import dev.switchboard.provider.anthropic.AnthropicProvider;
import dev.switchboard.provider.openai.OpenAiCompatibleProvider;
import dev.switchboard.routing.Catalog;
import dev.switchboard.sim.SimDeployment;
import dev.switchboard.sim.Simulator;
import dev.switchboard.sim.SimulatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The zero-config start: when no providers are configured, looks for OPENAI_API_KEY, ANTHROPIC_API_KEY, a
 * local Ollama and a local vLLM, and falls back to the built-in simulator when it finds nothing. Runs once, off the event loops.
 */
final class Discovery {
  private static final long LOCAL_PROBE_MS = 700;
  private static final long REMOTE_PROBE_MS = 4000;

  private final Vertx vertx;
  private final Function<String, String> env;
  final List<Provider> providers = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  Simulator simulator;

  Discovery(Vertx vertx, Function<String, String> env) {
    this.vertx = vertx;
    this.env = env;
  }

  void run(SwitchboardConfig.Discovery settings, Catalog.Builder catalog) {
    String openaiKey = env.apply("OPENAI_API_KEY");
    if (openaiKey != null && !openaiKey.isBlank()) {
      String base = env.apply("OPENAI_BASE_URL");
      URI url = URI.create(base == null || base.isBlank() ? "https://api.openai.com/v1" : base.trim());
      OpenAiCompatibleProvider openai = provider("openai", url, openaiKey.trim(), true);
      try {
        List<String> models = await(openai.listModels(REMOTE_PROBE_MS), REMOTE_PROBE_MS);
        models.forEach(m -> catalog.add(m, openai, m));
        notes.add("openai: OPENAI_API_KEY found, " + models.size() + " models from " + url);
      } catch (Exception e) {
        catalog.passthrough(openai);
        notes.add("openai: OPENAI_API_KEY found, but its model list could not be read (" + reason(e)
            + "); every model name not known otherwise is passed to " + url);
      }
    }
    String anthropicKey = env.apply("ANTHROPIC_API_KEY");
    if (anthropicKey != null && !anthropicKey.isBlank()) {
      String base = env.apply("ANTHROPIC_BASE_URL");
      URI url = URI.create(base == null || base.isBlank() ? "https://api.anthropic.com" : base.trim());
      SwitchboardConfig.Provider p = new SwitchboardConfig.Provider("anthropic", "anthropic", url, anthropicKey.trim(),
          SwitchboardConfig.Timeouts.DEFAULT, true, 256, null, null);
      AnthropicProvider anthropic = new AnthropicProvider(vertx, p);
      providers.add(anthropic);
      try {
        List<String> models = await(anthropic.listModels(REMOTE_PROBE_MS), REMOTE_PROBE_MS);
        models.forEach(m -> catalog.add(m, anthropic, m));
        notes.add("anthropic: ANTHROPIC_API_KEY found, " + models.size() + " models from " + url);
      } catch (Exception e) {
        catalog.passthrough(anthropic);
        notes.add("anthropic: ANTHROPIC_API_KEY found, but its model list could not be read (" + reason(e)
            + "); model names not known otherwise are passed to it unless an OpenAI provider took them");
      }
    }
    probeLocal("ollama", settings.ollamaUrl(), catalog);
    probeLocal("vllm", settings.vllmUrl(), catalog);
    if (providers.isEmpty() && settings.simulator()) startSimulator(catalog);
  }

  private void probeLocal(String name, URI url, Catalog.Builder catalog) {
    // Local servers usually need no key, but some clients' habit of always sending one is harmless to them,
    // and vLLM started with --api-key reads it from VLLM_API_KEY.
    String key = env.apply(name.toUpperCase(java.util.Locale.ROOT) + "_API_KEY");
    OpenAiCompatibleProvider p = provider(name, url, key == null || key.isBlank() ? "none" : key.trim(), false);
    try {
      List<String> models = await(p.listModels(LOCAL_PROBE_MS), LOCAL_PROBE_MS);
      if (models.isEmpty()) {
        notes.add(name + ": answered at " + url + " but serves no models");
        providers.remove(p);
        p.close();
        return;
      }
      for (String m : models) {
        catalog.add(m, p, m);
        // Ollama names models "llama3.2:latest"; clients usually say "llama3.2".
        if (m.endsWith(":latest")) catalog.add(m.substring(0, m.length() - 7), p, m);
      }
      notes.add(name + ": found at " + url + " with " + models.size() + " models");
    } catch (Exception e) {
      providers.remove(p);
      p.close();
    }
  }

  private void startSimulator(Catalog.Builder catalog) {
    try {
      simulator = await(Simulator.start(vertx, SimulatorConfig.demo()), 10_000);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the built-in simulator: " + reason(e), e);
    }
    for (SimDeployment d : simulator.deployments()) {
      OpenAiCompatibleProvider p = provider(d.name(), URI.create(d.baseUrl()), "sim", false);
      for (String m : d.models()) {
        catalog.addDeployment(m, p, SwitchboardConfig.Deployment.of(p.name(), m), d.region());
      }
    }
    notes.add("simulator: no provider found (OPENAI_API_KEY and ANTHROPIC_API_KEY unset, no local Ollama or vLLM), so the built-in "
        + "simulator is serving simulated models; fault drills at " + simulator.controlUrl() + "/sim/deployments");
  }

  private OpenAiCompatibleProvider provider(String name, URI url, String key, boolean http2) {
    SwitchboardConfig.Timeouts t = SwitchboardConfig.Timeouts.DEFAULT;
    OpenAiCompatibleProvider p = new OpenAiCompatibleProvider(vertx,
        new SwitchboardConfig.Provider(name, "openai", url, key, t, http2, 256, null, null));
    providers.add(p);
    return p;
  }

  static <T> T await(Future<T> future, long millis) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(millis + 500, TimeUnit.MILLISECONDS);
  }

  private static String reason(Exception e) {
    Throwable t = e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

}
