package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.access.Authenticator.Verdict;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Teams and keys made through {@link Keys}, kept in the real embedded store, and checked by {@link Authenticator}. */
final class KeysTest {
  private static final MasterKey MASTER = new MasterKey("sk-sb-master-for-keys-test-0123456789", "test", false);

  @TempDir Path home;

  @Test
  void aKeyWorksAtOnceSurvivesARestartAndStopsWhenRevoked() {
    SecretBox box = SecretBox.load(home, k -> null);
    Keys.Issued issued;
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, box);
      Team team = keys.createTeam("research", new Limits(60, null, null), List.of(Budget.parse("5/day")),
          Map.of("cost_center", "42"));
      issued = keys.createKey(new Keys.KeySpec("research", "notebook", Set.of("sim-large"), null,
          List.of(Budget.parse("1/total")), null, Map.of(), false));
      assertThat(issued.secret()).startsWith(KeyMaker.PREFIX).hasSize(KeyMaker.PREFIX.length() + 12 + 43);
      assertThat(issued.key().prefix()).isEqualTo(issued.secret().substring(0, KeyMaker.PREFIX.length() + 12));
      Authenticator auth = new Authenticator(MASTER, keys.ring());
      Authenticator.Check check = auth.check(issued.secret(), System.currentTimeMillis());
      assertThat(check.verdict()).isEqualTo(Verdict.OK);
      assertThat(check.principal().team()).isEqualTo(team);
      assertThat(check.principal().key().allows("sim-large")).isTrue();
      assertThat(check.principal().key().allows("sim-small")).isFalse();
    }
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, box);
      Authenticator auth = new Authenticator(MASTER, keys.ring());
      assertThat(auth.check(issued.secret(), System.currentTimeMillis()).verdict()).isEqualTo(Verdict.OK);
      assertThat(keys.team("research").budgets()).containsExactly(new Budget(BigDecimal.valueOf(5), Budget.Period.DAY));
      keys.revoke(issued.key().prefix());
      assertThat(auth.check(issued.secret(), System.currentTimeMillis()).verdict()).isEqualTo(Verdict.REVOKED);
    }
  }

  @Test
  void wrongKeysAreInvalidAndTheMasterKeyIsTheAdministrator() {
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, SecretBox.load(home, k -> null));
      String secret = keys.createKey(new Keys.KeySpec(null, "k", null, null, null, null, null, false)).secret();
      Authenticator auth = new Authenticator(MASTER, keys.ring());
      long now = System.currentTimeMillis();
      String tampered = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
      assertThat(auth.check(tampered, now).verdict()).isEqualTo(Verdict.INVALID);
      assertThat(auth.check("sk-sbv-nosuchkey000" + "x".repeat(43), now).verdict()).isEqualTo(Verdict.INVALID);
      assertThat(auth.check("", now).verdict()).isEqualTo(Verdict.MISSING);
      assertThat(auth.check(MASTER.value(), now).principal().master()).isTrue();
      assertThat(keys.teams()).extracting(Team::name).containsExactly(Keys.DEFAULT_TEAM);
    }
  }

  @Test
  void anExpiredKeyIsRefused() {
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, SecretBox.load(home, k -> null));
      Keys.Issued issued = keys.createKey(new Keys.KeySpec(null, "short-lived", null, null, null, 1_000L, null, false));
      Authenticator auth = new Authenticator(MASTER, keys.ring());
      assertThat(auth.check(issued.secret(), 999).verdict()).isEqualTo(Verdict.OK);
      assertThat(auth.check(issued.secret(), 1_000).verdict()).isEqualTo(Verdict.EXPIRED);
    }
  }

  @Test
  void theStoreHoldsNeitherTheKeyNorTheSigV4SecretInPlainText() throws Exception {
    Keys.Issued issued;
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, SecretBox.load(home, k -> null));
      issued = keys.createKey(new Keys.KeySpec(null, "aws", null, null, null, null, null, true));
      assertThat(keys.ring().secret(issued.key().accessKeyId())).isEqualTo(issued.secretAccessKey());
    }
    String db = new String(Files.readAllBytes(home.resolve(SqliteStore.FILE)), StandardCharsets.ISO_8859_1);
    assertThat(db).contains(issued.key().id()).doesNotContain(issued.secret())
        .doesNotContain(issued.secretAccessKey());
  }

  @Test
  void teamNamesAreUniqueAndUnknownReferencesSayHowToList() {
    try (Store store = SqliteStore.open(home)) {
      Keys keys = Keys.load(store, SecretBox.load(home, k -> null));
      keys.createTeam("ops", null, null, null);
      assertThatThrownBy(() -> keys.createTeam("ops", null, null, null)).isInstanceOf(Store.StoreConflict.class)
          .hasMessageContaining("'ops' already exists");
      assertThatThrownBy(() -> keys.key("sk-sbv-missing")).isInstanceOf(Keys.NotFound.class)
          .hasMessageContaining("keys list");
    }
  }
}
