package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.LocalPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL server, a fresh database per test; usage written by COPY. */
final class PostgresStoreContractTest extends StoreContract {
  @Override
  protected Store open() {
    LocalPostgres pg = LocalPostgres.shared();
    return PostgresStore.open(pg.newDatabase(), pg.user(), null, 4);
  }

  /** Instances that start together on an empty database: Flyway's lock lets one migrate, the others wait. */
  @Test
  void instancesStartingTogetherMigrateOnce() {
    LocalPostgres pg = LocalPostgres.shared();
    String url = pg.newDatabase();
    List<CompletableFuture<Store>> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> PostgresStore.open(url, pg.user(), null, 2)));
    }
    List<Store> stores = opening.stream().map(CompletableFuture::join).toList();
    try {
      stores.getFirst().recordUsage(List.of(record("x", "m", null, null, 200, "1", 1, 1, false, 1)), 0);
      for (Store s : stores) assertThat(s.usage("m").requests()).isEqualTo(1);
    } finally {
      stores.forEach(Store::close);
    }
  }
}
