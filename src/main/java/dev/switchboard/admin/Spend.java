package dev.switchboard.admin;

import dev.switchboard.access.Budget;
import dev.switchboard.store.Store;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a key or team has spent in the current day, month and in total, from the usage ledger: what has been
 * metered, so requests still running and the last flush interval are not in it yet.
 */
final class Spend {
  private Spend() {}

  static Map<String, String> of(Store store, String keyId, String teamId, long nowMillis) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Budget.Period p : Budget.Period.values()) {
      m.put(p.label(), plain(store.spentSince(keyId, teamId, p.start(nowMillis))));
    }
    return m;
  }

  static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }
}
