package dev.switchboard.testing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An append-only list that tests can wait on, the way they wait on the simulator's {@code Ledger}: {@link #await}
 * completes with the first item matching a predicate, one already added or the next one added. Thread-safe; items are
 * added from event loops and awaited from the test thread (always with a timeout on the future, never with a sleep).
 */
public final class AwaitableLog<T> {
  private final List<T> items = new ArrayList<>();
  private final List<Waiter<T>> waiters = new ArrayList<>();

  public void add(T item) {
    List<CompletableFuture<T>> matched = new ArrayList<>(1);
    synchronized (this) {
      items.add(item);
      for (Iterator<Waiter<T>> it = waiters.iterator(); it.hasNext(); ) {
        Waiter<T> w = it.next();
        if (w.future.isDone()) {
          it.remove();
        } else if (w.predicate.test(item)) {
          it.remove();
          matched.add(w.future);
        }
      }
    }
    for (CompletableFuture<T> f : matched) f.complete(item); // outside the lock: dependants may read the log
  }

  /** A snapshot, oldest first. */
  public synchronized List<T> all() {
    return List.copyOf(items);
  }

  /** Completes with the first item matching {@code p}; {@code p} runs under the lock, so keep it fast. */
  public CompletableFuture<T> await(Predicate<? super T> p) {
    CompletableFuture<T> f = new CompletableFuture<>();
    T found = null;
    synchronized (this) {
      for (T item : items) {
        if (p.test(item)) {
          found = item;
          break;
        }
      }
      if (found == null) waiters.add(new Waiter<>(p, f));
    }
    if (found != null) f.complete(found);
    return f;
  }

  private record Waiter<T>(Predicate<? super T> predicate, CompletableFuture<T> future) {}
}
