package dev.switchboard.admin;

import dev.switchboard.store.Store;
import dev.switchboard.store.Store.UsageRow;
import java.math.BigDecimal;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/overview?window=60s}: the dashboard's headline numbers. Rates and latencies come from this
 * instance's {@link Pulse} (the last {@code window}); spend today (UTC) comes from the ledger, so it counts every
 * instance. Blocking (the ledger query): runs on a worker.
 */
final class OverviewEndpoint {
  private final Pulse pulse;
  private final Store store;
  private final InstantSource clock;

  OverviewEndpoint(Pulse pulse, Store store, InstantSource clock) {
    this.pulse = pulse;
    this.store = store;
    this.clock = clock;
  }

  Reply overview(String window) {
    int seconds = window(window);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("object", "overview");
    body.putAll(pulse.snapshot(seconds));
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    long from = today.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    BigDecimal spend = BigDecimal.ZERO;
    long requests = 0;
    for (UsageRow r : store.usage(new Store.UsageQuery(List.of(), from, Long.MAX_VALUE, null, null, null))) {
      spend = spend.add(new BigDecimal(r.costUsd()));
      requests += r.requests();
    }
    body.put("day", today.toString());
    body.put("requests_today", requests);
    body.put("spend_today_usd", Spend.plain(spend));
    return Reply.json(200, body);
  }

  /** {@code 60s}, {@code 2m} or plain seconds; default 60 s. */
  static int window(String v) {
    if (v == null || v.isBlank()) return 60;
    String s = v.trim().toLowerCase(java.util.Locale.ROOT);
    int unit = 1;
    if (s.endsWith("s")) s = s.substring(0, s.length() - 1);
    else if (s.endsWith("m")) {
      s = s.substring(0, s.length() - 1);
      unit = 60;
    }
    try {
      int n = Integer.parseInt(s) * unit;
      if (n >= 1 && n <= Pulse.MAX_WINDOW) return n;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadInput("window", "'window' is '" + v + "'; give 1s to " + Pulse.MAX_WINDOW + "s, e.g. 60s or 2m.");
  }
}
