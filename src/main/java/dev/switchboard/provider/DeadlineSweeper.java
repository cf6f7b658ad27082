package dev.switchboard.provider;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Checks the deadlines of every upstream call on one event loop with a single periodic timer, instead of
 * one timer per request (a timer set and cancelled per request cost about 3% of the gateway's CPU).
 * Deadlines fire up to one {@link #PERIOD_MS} late, which is far below any timeout worth configuring.
 *
 * <p>Confined to its event loop: calls join and leave an intrusive doubly linked list in O(1), without
 * allocation, and the sweep walks it. Obtain it with {@link #current} from the loop's thread.
 */
final class DeadlineSweeper {
  static final long PERIOD_MS = 25;
  private static final ThreadLocal<DeadlineSweeper> PER_LOOP = new ThreadLocal<>();

  /** A call with a deadline; the sweeper owns the link fields. */
  abstract static class Watched {
    Watched prev;
    Watched next;
    boolean watched;

    /** Called on each sweep with the current {@link System#nanoTime()}; may {@link #unwatch} itself. */
    abstract void sweep(long nowNanos);
  }

  private final Watched head = new Watched() {
    @Override
    void sweep(long nowNanos) {}
  };

  private DeadlineSweeper(Vertx vertx) {
    head.prev = head;
    head.next = head;
    vertx.setPeriodic(PERIOD_MS, id -> sweepAll());
  }

  /** The sweeper of the calling event loop, created on first use. */
  static DeadlineSweeper current(Vertx vertx) {
    if (!Context.isOnEventLoopThread()) {
      throw new IllegalStateException("upstream calls must start on an event loop thread");
    }
    DeadlineSweeper s = PER_LOOP.get();
    if (s == null) {
      s = new DeadlineSweeper(vertx);
      PER_LOOP.set(s);
    }
    return s;
  }

  void watch(Watched w) {
    if (w.watched) return;
    w.watched = true;
    w.prev = head.prev;
    w.next = head;
    head.prev.next = w;
    head.prev = w;
  }

  void unwatch(Watched w) {
    if (!w.watched) return;
    w.watched = false;
    w.prev.next = w.next;
    w.next.prev = w.prev;
    w.prev = null;
    w.next = null;
  }

  private void sweepAll() {
    long now = System.nanoTime();
    Watched w = head.next;
    while (w != head) {
      Watched next = w.next; // w may unwatch itself
      w.sweep(now);
      w = next;
    }
  }
}
