package io.mtxtoolkit.testkit.mediamtx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Locates files of this repository (the MediaMTX config, the version pin) from tests and tools. Outside a checkout
 * (the test kit as another project's dependency, or its dist run elsewhere), {@link #read} falls back to the copies
 * the jar carries from its build.
 */
public final class RepoFiles {
  private static final String MARKER = "deploy/mediamtx/mediamtx.yml";
  private static final String BUNDLED = "/mtx-toolkit/";

  private RepoFiles() {}

  /** The repository root: {@code mtx.repoRoot}, {@code MTX_REPO_ROOT}, or the nearest parent holding the MediaMTX config. */
  public static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return locate(here).orElseThrow(() -> notFound(here));
  }

  /** From {@code mtx.repoRoot}, {@code MTX_REPO_ROOT}, or up from {@code dir}. */
  private static Optional<Path> locate(Path dir) {
    return find(dir, System.getProperty("mtx.repoRoot"), System.getenv("MTX_REPO_ROOT"));
  }

  /** {@link #root}: the first of {@code configured} that is a checkout, else up from {@code dir}; empty outside one. */
  static Optional<Path> find(Path dir, String... configured) {
    for (String place : configured) {
      if (place != null && !place.isBlank() && Files.isRegularFile(Path.of(place, MARKER))) {
        return Optional.of(Path.of(place).toAbsolutePath().normalize());
      }
    }
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve(MARKER))) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  private static IllegalStateException notFound(Path from) {
    return new IllegalStateException("cannot find the mtx-toolkit repository (no " + MARKER + " above " + from
        + "); set MTX_REPO_ROOT");
  }

  public static Path resolve(String relative) {
    return root().resolve(relative);
  }

  /** {@code deploy/mediamtx/mediamtx.yml} of the checkout (no jar copy: see {@link #read} for that). */
  public static Path mediaMtxConfig() {
    return resolve(MARKER);
  }

  /**
   * The text of {@code relative} ({@code deploy/mediamtx/mediamtx.yml} or {@code deploy/mediamtx/VERSIONS}): the
   * repository's file when one is found, else the jar's copy.
   */
  public static String read(String relative) {
    Path here = Path.of("").toAbsolutePath();
    return read(relative, locate(here), () -> notFound(here));
  }

  /** {@link #read(String)} from {@code root}, or from the jar's copy when there is none. */
  static String read(String relative, Optional<Path> root, Supplier<IllegalStateException> noRepository) {
    if (root.isPresent()) {
      try {
        return Files.readString(root.get().resolve(relative), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + relative + ": " + e.getMessage(), e);
      }
    }
    try (InputStream bundled = RepoFiles.class.getResourceAsStream(BUNDLED + relative)) {
      if (bundled == null) {
        IllegalStateException why = noRepository.get();
        throw new IllegalStateException(why.getMessage() + "; the test kit's jar carries no " + relative, why);
      }
      return new String(bundled.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the test kit's copy of " + relative + ": " + e.getMessage(), e);
    }
  }
}
