package dev.switchboard.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** STUB until the sim branch is merged. */
public final class Simulator implements AutoCloseable {
  public static Future<Simulator> start(Vertx vertx, SimulatorConfig config) {
    return Future.failedFuture("stub");
  }

  public List<SimDeployment> deployments() {
    return List.of();
  }

  public String controlUrl() {
    return "";
  }

  @Override
  public void close() {}
}
