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
 * (or the {@code mediamtx.bin} property), the cached build of an accepted version, then PATH; where none
 * is found and a Docker engine answers, the pinned version from the official image ({@link OfficialImage}).
 * It never builds; {@code make mediamtx} does.
 */
public final class MediaMtxBinary {
  private static volatile Path cached;

  private MediaMtxBinary() {}

  /** The binary, or an exception telling how to provide one. A missing binary is an error, never a skip. */
  public static synchronized Path require() {
    Path bin = cached;
    if (bin == null) {
      bin = require(candidates(), OfficialImage::usable, () -> OfficialImage.install(acceptedVersions().get(0), cacheRoot()));
      cached = bin;
    }
    return bin;
  }

  static Path require(List<String> candidates) {
    return require(candidates, () -> false, () -> null);
  }

  /** The first executable candidate; else, if {@code imageUsable}, what {@code fromImage} installs; else the error. */
  static Path require(List<String> candidates, BooleanSupplier imageUsable, Supplier<Path> fromImage) {
    return candidates.stream().map(Path::of).filter(Files::isExecutable).filter(Files::isRegularFile).findFirst()
        .or(() -> imageUsable.getAsBoolean() ? Optional.of(fromImage.get()) : Optional.empty())
        .orElseThrow(() -> new IllegalStateException(
            "MediaMTX binary not found. Run `make mediamtx` (deploy/mediamtx/install.sh) and set MEDIAMTX_BIN "
                + "to the path it prints, or put mediamtx " + acceptedVersions().get(0) + " on PATH, or run a "
                + "Docker engine: on Linux the tests then copy it out of the official image "
                + OfficialImage.image(acceptedVersions().get(0)) + ". Looked in: " + String.join(", ", candidates)));
  }

  static List<String> candidates() {
    List<String> out = new ArrayList<>();
    String prop = System.getProperty("mediamtx.bin");
    String env = System.getenv("MEDIAMTX_BIN");
    if (prop != null && !prop.isBlank()) {
      out.add(prop);
    }
    if (env != null && !env.isBlank()) {
      out.add(env);
    }
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
    try {
      String text = Files.readString(RepoFiles.resolve("deploy/mediamtx/VERSIONS"), StandardCharsets.UTF_8);
      return List.of(text.trim().split("\\s+"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read deploy/mediamtx/VERSIONS: " + e.getMessage(), e);
    }
  }

  /** What {@code mediamtx --version} prints, e.g. {@code v1.16.3}. */
  public static String version(Path bin) {
    try {
      Process p = new ProcessBuilder(bin.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out.lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + bin + " --version: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
