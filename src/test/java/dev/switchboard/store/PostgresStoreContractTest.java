package dev.switchboard.store;

import dev.switchboard.testing.LocalPostgres;

/** The store contract on a real PostgreSQL server, a fresh database per test. */
final class PostgresStoreContractTest extends StoreContract {
  @Override
  protected Store open() {
    LocalPostgres pg = LocalPostgres.shared();
    return PostgresStore.open(pg.newDatabase(), pg.user(), null, 4);
  }
}
