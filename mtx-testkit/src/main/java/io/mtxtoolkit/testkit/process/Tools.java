package io.mtxtoolkit.testkit.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Outside programs the tests run (ffmpeg, gst-launch-1.0, chromium, …), found on PATH. */
public final class Tools {
  private Tools() {}

  public static Optional<Path> find(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Optional.of(Path.of(dir, name));
      }
    }
    return Optional.empty();
  }

  /** The first of {@code names} on PATH; a missing tool fails loudly, since a skipped test proves nothing. */
  public static Path require(String debianPackage, String... names) {
    for (String name : names) {
      Optional<Path> found = find(name);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new IllegalStateException(String.join(" or ", names) + " is not installed; this test needs it "
        + "(apt-get install " + debianPackage + "; .ci/run installs it)");
  }
}
