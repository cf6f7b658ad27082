package dev.switchboard.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The administrator's key: from {@code SWITCHBOARD_MASTER_KEY}, or generated on first start and kept in
 * {@code <home>/master.key} with owner-only permissions. Until virtual keys exist it is the only key.
 *
 * @param value the key itself; never log it
 * @param origin where it came from, for the banner
 * @param generated true when this start created it (the banner then shows it once)
 */
public record MasterKey(String value, String origin, boolean generated) {
  private static final String FILE = "master.key";

  public static MasterKey load(Path home, Function<String, String> env) {
    String fromEnv = env.apply("SWITCHBOARD_MASTER_KEY");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new MasterKey(fromEnv.trim(), "SWITCHBOARD_MASTER_KEY", false);
    }
    Path file = home.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (stored.isEmpty()) throw new IllegalStateException(file + " is empty: delete it to generate a new master key");
        return new MasterKey(stored, file.toString(), false);
      }
      Files.createDirectories(home);
      String key = "sk-sb-" + randomToken(32);
      writeOwnerOnly(file, key + "\n");
      return new MasterKey(key, file.toString(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the master key in " + home
          + " (set SWITCHBOARD_HOME to a writable directory, or SWITCHBOARD_MASTER_KEY)", e);
    }
  }

  /** A short, safe-to-show form: the prefix and the last four characters. */
  public String masked() {
    return value.length() <= 12 ? "****" : value.substring(0, 6) + "…" + value.substring(value.length() - 4);
  }

  @Override
  public String toString() {
    return "MasterKey[" + masked() + " from " + origin + "]";
  }

  static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system; rely on the directory's permissions
    } catch (FileAlreadyExistsException e) {
      throw new IOException(file + " appeared while generating the master key; start again", e);
    }
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
