package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The exact ground truth of what the simulator served: one {@link LedgerEntry} per chat, embeddings, Anthropic
 * messages, Gemini generation or Bedrock converse or invoke request, recorded when the request finishes (completed,
 * failed, cut or abandoned by the client). Model listings and token counts are not recorded.
 *
 * <p>Thread-safe. Entries are kept until {@link #clear()}; a long load test should clear it now and then (about 100
 * bytes per entry).
 */
public final class Ledger {
  private final List<LedgerEntry> entries = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private long nextSeq = 1;

  Ledger() {}

  /** A snapshot of all entries, oldest first. */
  public synchronized List<LedgerEntry> entries() {
    return List.copyOf(entries);
  }

  /**
   * Completes with the first entry matching {@code p}: one already recorded, else the next one recorded. Lets a test
   * wait for the simulator to notice something (say, a client disconnect) without sleeping; put a timeout on the
   * returned future. {@code p} runs under the ledger's lock, so it must be fast and must not call back into the
   * ledger. Completion happens on the thread that records the entry (an event loop): do not block in dependants.
   */
  public CompletableFuture<LedgerEntry> await(Predicate<LedgerEntry> p) {
    CompletableFuture<LedgerEntry> f = new CompletableFuture<>();
    LedgerEntry found = null;
    synchronized (this) {
      for (LedgerEntry e : entries) {
        if (p.test(e)) {
          found = e;
          break;
        }
      }
      if (found == null) waiters.add(new Waiter(p, f));
    }
    if (found != null) f.complete(found);
    return f;
  }

  /** Forgets all entries; sequence numbers keep counting up. Pending {@link #await} futures stay pending. */
  public synchronized void clear() {
    entries.clear();
  }

  LedgerEntry record(String requestId, String deployment, String region, String model, String endpoint,
      boolean stream, int promptTokens, int completionTokens, int cacheReadTokens, int cacheWriteTokens,
      String outcome) {
    LedgerEntry e;
    List<CompletableFuture<LedgerEntry>> matched = null;
    synchronized (this) {
      e = new LedgerEntry(nextSeq++, requestId, deployment, region, model, endpoint, stream, promptTokens,
          completionTokens, cacheReadTokens, cacheWriteTokens, outcome);
      entries.add(e);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.future.isDone()) {
          it.remove(); // cancelled or timed out by the caller
        } else if (w.predicate.test(e)) {
          it.remove();
          if (matched == null) matched = new ArrayList<>(1);
          matched.add(w.future);
        }
      }
    }
    // Completed outside the lock: dependants run here and may read the ledger.
    if (matched != null) for (CompletableFuture<LedgerEntry> f : matched) f.complete(e);
    return e;
  }

  private record Waiter(Predicate<LedgerEntry> predicate, CompletableFuture<LedgerEntry> future) {}
}
