package dev.switchboard.sim;

import dev.switchboard.util.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running fleet of simulated deployments, each speaking the OpenAI API, the Anthropic Messages API, the Gemini API
 * and the Bedrock Runtime API, plus its control API.
 *
 * <p>Start one with {@link #start}; point OpenAI clients at {@link SimDeployment#baseUrl()}, Anthropic clients at
 * {@link SimDeployment#anthropicBaseUrl()}, Gemini clients at {@link SimDeployment#geminiBaseUrl()} and AWS SDK
 * Bedrock Runtime clients at {@link SimDeployment#bedrockBaseUrl()}; inject failures
 * with {@link #setFault} and {@link #setRegionDown} (or over HTTP at {@link #controlUrl()}); read what was served from
 * {@link #ledger()}. The simulator does not own the {@link Vertx} instance it runs on: {@link #stop()} closes its servers,
 * the caller closes Vert.x.
 *
 * <p>Thread-safe. Fault changes that open or close a listening socket complete before {@code setFault} and
 * {@code setRegionDown} return, unless they are called on a Vert.x thread, where blocking is not allowed: then the
 * change completes shortly after.
 */
public final class Simulator implements AutoCloseable {
  private static final long BLOCK_SECONDS = 30;

  private final SimulatorConfig config;
  private final SimContext context;
  private final Map<String, Deployment> deployments = new LinkedHashMap<>();
  private final String urlHost;
  private volatile HttpServer control;
  private Future<Void> stopping; // guarded by this

  private Simulator(SimulatorConfig config, SimContext context) {
    this.config = config;
    this.context = context;
    for (SimDeploymentSpec spec : config.deployments()) {
      deployments.put(spec.name(), new Deployment(spec, context, config.host()));
    }
    String h = config.host();
    this.urlHost = h.equals("0.0.0.0") || h.equals("::") ? "127.0.0.1" : h.contains(":") ? "[" + h + "]" : h;
  }

  /**
   * Binds every deployment and the control API. The future fails (with everything already bound closed again) if any
   * port cannot be bound.
   */
  public static Future<Simulator> start(Vertx vertx, SimulatorConfig config) {
    return start(vertx, config, Ticker.system(), InstantSource.system());
  }

  static Future<Simulator> start(Vertx vertx, SimulatorConfig config, Ticker ticker, InstantSource clock) {
    Simulator sim = new Simulator(config, new SimContext(vertx, new Ledger(), ticker, clock));
    List<Future<Void>> starts = new ArrayList<>();
    for (Deployment d : sim.deployments.values()) starts.add(d.start());
    return Future.all(starts)
        .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.host()))
            .requestHandler(new ControlServer(sim))
            .listen(config.controlPort(), config.host()))
        .map(server -> {
          sim.control = server;
          return sim;
        })
        .recover(t -> sim.stop().transform(ignored -> Future.failedFuture(t)));
  }

  /** The deployment called {@code name}; throws {@link IllegalArgumentException} naming the known ones. */
  public SimDeployment deployment(String name) {
    return find(name);
  }

  /** All deployments, in configuration order. */
  public List<SimDeployment> deployments() {
    return List.copyOf(deployments.values());
  }

  /** {@code http://<host>:<port>} of the control API. */
  public String controlUrl() {
    HttpServer c = control;
    return "http://" + urlHost + ":" + (c == null ? config.controlPort() : c.actualPort());
  }

  public Ledger ledger() {
    return context.ledger();
  }

  /**
   * Injects {@code fault} into a deployment, replacing any previous one; {@code null} clears it (a refused deployment
   * then listens again on the same port). Throws {@link IllegalArgumentException} for an unknown deployment and
   * {@link IllegalStateException} if the deployment cannot listen again.
   */
  public void setFault(String deployment, Fault fault) {
    Deployment d = find(deployment);
    await(setFaultAsync(d, fault), "setting fault " + fault + " on " + deployment);
  }

  /**
   * Takes every deployment of {@code region} down (they stop listening, as with {@link Fault#refuse()}) or back up.
   * Throws {@link IllegalArgumentException} naming the known regions if none is in {@code region}.
   */
  public void setRegionDown(String region, boolean down) {
    await(setRegionDownAsync(region, down), "setting region " + region + (down ? " down" : " up"));
  }

  /** Closes every server. Idempotent; the returned future completes when all ports are released. */
  public Future<Void> stop() {
    synchronized (this) {
      if (stopping != null) return stopping;
      List<Future<Void>> stops = new ArrayList<>();
      for (Deployment d : deployments.values()) stops.add(d.stop());
      HttpServer c = control;
      if (c != null) stops.add(c.close().compose(v -> PortRelease.await(context.vertx())));
      stopping = Future.join(stops).mapEmpty();
      return stopping;
    }
  }

  /**
   * {@link #stop()} and wait for it (up to 30 s). On a Vert.x thread, where blocking is not allowed, it only starts
   * stopping.
   */
  @Override
  public void close() {
    await(stop(), "stopping the simulator");
  }

  Future<Void> setFaultAsync(Deployment d, Fault fault) {
    return d.setFault(fault);
  }

  Future<Void> setRegionDownAsync(String region, boolean down) {
    List<Future<Void>> changes = new ArrayList<>();
    for (Deployment d : deployments.values()) if (d.region().equals(region)) changes.add(d.setRegionDown(down));
    if (changes.isEmpty()) {
      throw new IllegalArgumentException("unknown region '" + region + "'; known regions: " + regions());
    }
    return Future.join(changes).mapEmpty();
  }

  TreeSet<String> regions() {
    TreeSet<String> r = new TreeSet<>();
    for (Deployment d : deployments.values()) r.add(d.region());
    return r;
  }

  Deployment find(String name) {
    Deployment d = deployments.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown deployment '" + name + "'; known deployments: " + deployments.keySet());
    }
    return d;
  }

  List<Deployment> all() {
    return List.copyOf(deployments.values());
  }

  private static void await(Future<Void> f, String what) {
    if (Context.isOnVertxThread()) return;
    try {
      f.toCompletionStage().toCompletableFuture().get(BLOCK_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("simulator: interrupted while " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("simulator: failed " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("simulator: timed out after " + BLOCK_SECONDS + " s " + what, e);
    }
  }
}
