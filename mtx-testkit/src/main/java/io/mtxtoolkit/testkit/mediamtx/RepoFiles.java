package io.mtxtoolkit.testkit.mediamtx;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates files of this repository (the MediaMTX config, the version pin) from tests and tools. */
public final class RepoFiles {
  private static final String MARKER = "deploy/mediamtx/mediamtx.yml";

  private RepoFiles() {}

  /** The repository root: {@code mtx.repoRoot}, {@code MTX_REPO_ROOT}, or the nearest parent holding the MediaMTX config. */
  public static Path root() {
    for (String configured : new String[] {System.getProperty("mtx.repoRoot"), System.getenv("MTX_REPO_ROOT")}) {
      if (configured != null && !configured.isBlank() && Files.isRegularFile(Path.of(configured, MARKER))) {
        return Path.of(configured).toAbsolutePath().normalize();
      }
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(MARKER))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the mtx-toolkit repository (no " + MARKER
        + " above " + Path.of("").toAbsolutePath() + "); set MTX_REPO_ROOT");
  }

  public static Path resolve(String relative) {
    return root().resolve(relative);
  }

  /** {@code deploy/mediamtx/mediamtx.yml}. */
  public static Path mediaMtxConfig() {
    return resolve(MARKER);
  }
}
