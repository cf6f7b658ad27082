package dev.switchboard.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite store. */
final class SqliteStoreContractTest extends StoreContract {
  @TempDir Path home;

  @Override
  protected Store open() {
    return SqliteStore.open(home);
  }
}
