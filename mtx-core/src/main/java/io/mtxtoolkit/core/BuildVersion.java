package io.mtxtoolkit.core;

/** The version a packaged jar's manifest names, for each command's {@code --version}. */
public final class BuildVersion {
  private BuildVersion() {}

  /** {@code "<command> <version>"}, the version from {@code type}'s jar manifest, or "development" outside a jar. */
  public static String line(String command, Class<?> type) {
    String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
    return command + " " + (version == null ? "development" : version);
  }
}
