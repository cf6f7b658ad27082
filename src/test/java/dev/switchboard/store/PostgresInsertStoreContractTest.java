package dev.switchboard.store;

import dev.switchboard.testing.LocalPostgres;

/** The store contract on PostgreSQL with usage written by multi-row INSERT, the way the store does not use. */
final class PostgresInsertStoreContractTest extends StoreContract {
  @Override
  protected Store open() {
    LocalPostgres pg = LocalPostgres.shared();
    return PostgresStore.open(pg.newDatabase(), pg.user(), null, 4, PostgresStore.Writes.INSERT);
  }
}
