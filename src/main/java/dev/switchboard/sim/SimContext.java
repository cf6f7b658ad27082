package dev.switchboard.sim;

import dev.switchboard.util.Ticker;
import io.vertx.core.Vertx;
import java.time.InstantSource;

/**
 * What every deployment of one simulator shares: the Vert.x instance (for servers and timers), the ledger, and the
 * two time seams ({@link Ticker} for pacing, {@link InstantSource} for the {@code created} timestamps).
 */
record SimContext(Vertx vertx, Ledger ledger, Ticker ticker, InstantSource clock) {}
