package dev.switchboard;

import picocli.CommandLine.IVersionProvider;

/** The product version, read from the jar manifest when there is one. */
public final class Version implements IVersionProvider {

  public static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"switchboard " + current()};
  }
}
