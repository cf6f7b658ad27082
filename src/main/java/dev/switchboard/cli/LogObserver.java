package dev.switchboard.cli;

import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.exchange.ExchangeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The request log: one line per exchange at DEBUG (ids, model, status, timing; never content or keys). */
final class LogObserver implements ExchangeObserver {
  private static final Logger log = LoggerFactory.getLogger("switchboard.requests");

  @Override
  public void ended(ExchangeRecord r) {
    if (r.status() >= 500 && !"client_gone".equals(r.outcome())) {
      log.atWarn().addKeyValue("request_id", r.requestId()).log("{} {} model={} deployment={} region={} attempts={} status={} outcome={} {}ms", r.requestId(),
          r.endpoint(), r.model(), r.deployment(), r.region(), r.attempts(), r.status(), r.outcome(),
          r.durationNanos() / 1_000_000);
    } else if (log.isDebugEnabled()) {
      log.atDebug().addKeyValue("request_id", r.requestId()).log("{} {} model={} deployment={} region={} attempts={} status={} outcome={} {}ms usage={} cost={}",
          r.requestId(), r.endpoint(), r.model(), r.deployment(), r.region(), r.attempts(), r.status(), r.outcome(),
          r.durationNanos() / 1_000_000, r.usage(), r.cost() == null ? null : r.cost().toPlainString());
    }
  }
}
