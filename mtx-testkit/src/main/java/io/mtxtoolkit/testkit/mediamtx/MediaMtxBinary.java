package io.mtxtoolkit.testkit.mediamtx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Finds the MediaMTX binary the way {@code deploy/mediamtx/install.sh} leaves it: {@code MEDIAMTX_BIN}
 * (or the {@code mediamtx.bin} property) as given; else the cache and PATH, each only at an accepted version;
 * else, where a Docker engine answers, the pinned version from the official image ({@link OfficialImage}).
 * It never builds; {@code make mediamtx} does.
 */
public final class MediaMtxBinary {
  /** What the search (cache, PATH, image) found in this JVM, or why it failed: it is not repeated per test. */
  private static Path searched;
  private static RuntimeException searchFailed;

  private MediaMtxBinary() {}

  /** The binary, or an exception telling how to provide one. A missing binary is an error, never a skip. */
  public static Path require() {
    List<String> given = explicitCandidates();
    Optional<Path> explicit = executables(given).findFirst();
    if (explicit.isPresent()) {
      return explicit.get();
    }
    if (!given.isEmpty()) {
      // A typo must not quietly fall back to another binary (a cached older pin), as install.sh refuses it too.
      throw new IllegalStateException("MEDIAMTX_BIN (or -Dmediamtx.bin) names no executable file: "
          + String.join(", ", given));
    }
    synchronized (MediaMtxBinary.class) {
      if (searched == null && searchFailed == null) {
        try {
          searched = require(List.of(), searchedCandidates(), OfficialImage::usable,
              () -> OfficialImage.install(acceptedVersions().get(0), cacheRoot()));
        } catch (RuntimeException e) {
          searchFailed = e;
        }
      }
      if (searchFailed != null) {
        throw searchFailed;
      }
      return searched;
    }
  }

  /** The first executable of {@code candidates}, whatever its version (an explicit choice). */
  static Path require(List<String> candidates) {
    return require(candidates, List.of(), () -> false, () -> null);
  }

  /**
   * The first executable of {@code explicit}; else the first of {@code searched} that reports an accepted
   * version; else, if {@code imageUsable}, what {@code fromImage} installs; else the error saying what to do.
   */
  static Path require(List<String> explicit, List<String> searched, BooleanSupplier imageUsable, Supplier<Path> fromImage) {
    List<String> accepted = acceptedVersions();
    return executables(explicit).findFirst()
        .or(() -> executables(searched).filter(bin -> accepted.contains(versionOrEmpty(bin))).findFirst())
        .or(() -> imageUsable.getAsBoolean() ? Optional.of(fromImage.get()) : Optional.empty())
        .orElseThrow(() -> {
          List<String> all = new ArrayList<>(explicit);
          all.addAll(searched);
          return new IllegalStateException("MediaMTX binary not found. Run `make mediamtx` "
              + "(deploy/mediamtx/install.sh) and set MEDIAMTX_BIN to the path it prints, or put mediamtx "
              + accepted.get(0) + " on PATH, or run a Docker engine: on Linux the tests then copy it out of the "
              + "official image " + OfficialImage.image(accepted.get(0)) + ". Looked in (cache and PATH at "
              + String.join(", ", accepted) + " only): " + String.join(", ", all));
        });
  }

  private static java.util.stream.Stream<Path> executables(List<String> candidates) {
    return candidates.stream().map(Path::of).filter(Files::isExecutable).filter(Files::isRegularFile);
  }

  /** A binary that cannot run here (another architecture) has no version. */
  private static String versionOrEmpty(Path bin) {
    try {
      return version(bin);
    } catch (IllegalStateException e) {
      return "";
    }
  }

  /** {@code mediamtx.bin}, else {@code MEDIAMTX_BIN}: used as given; the property replaces the variable. */
  static List<String> explicitCandidates() {
    for (String value : new String[] {System.getProperty("mediamtx.bin"), System.getenv("MEDIAMTX_BIN")}) {
      if (value != null && !value.isBlank()) {
        return List.of(value);
      }
    }
    return List.of();
  }

  /** The cache of each accepted version, then {@code mediamtx} in each PATH directory. */
  static List<String> searchedCandidates() {
    List<String> out = new ArrayList<>();
    Path cacheRoot = cacheRoot();
    for (String version : acceptedVersions()) {
      out.add(cacheRoot.resolve(version).resolve("mediamtx").toString());
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          out.add(Path.of(dir, "mediamtx").toString());
        }
      }
    }
    return out;
  }

  /** {@code ${MTX_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/mtx-toolkit}/mediamtx}, as install.sh uses it. */
  static Path cacheRoot() {
    String base = System.getenv("MTX_CACHE_DIR");
    if (base == null || base.isBlank()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      base = (xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg))
          .resolve("mtx-toolkit").toString();
    }
    return Path.of(base, "mediamtx");
  }

  /** The pinned version first, then the accepted fall-backs ({@code deploy/mediamtx/VERSIONS}). */
  public static List<String> acceptedVersions() {
    return List.of(RepoFiles.read("deploy/mediamtx/VERSIONS").trim().split("\\s+"));
  }

  /** What {@code mediamtx --version} prints, e.g. {@code v1.16.3}. */
  public static String version(Path bin) {
    return version(bin, java.time.Duration.ofSeconds(10));
  }

  /** {@link #version(Path)}, or "" from a program that has not answered within {@code timeout} (then killed). */
  static String version(Path bin, java.time.Duration timeout) {
    Path out = null;
    try {
      // Into a file, not a pipe: reading a pipe to its end would wait for a program that never exits.
      out = Files.createTempFile("mediamtx-version", ".txt");
      Process p = new ProcessBuilder(bin.toString(), "--version").redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return "";
      }
      return Files.readString(out, StandardCharsets.UTF_8).trim().lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + bin + " --version: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temporary file of a few bytes
        }
      }
    }
  }
}
