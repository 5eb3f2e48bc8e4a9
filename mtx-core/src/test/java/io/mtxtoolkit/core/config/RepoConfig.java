package io.mtxtoolkit.core.config;

import java.nio.file.Path;

/** The repository's MediaMTX configuration, located through the {@code mtx.repoRoot} property Maven sets. */
final class RepoConfig {
  private RepoConfig() {}

  static Path file() {
    String root = System.getProperty("mtx.repoRoot", "..");
    return Path.of(root, "deploy", "mediamtx", "mediamtx.yml");
  }

  static MediaMtxConfig load() {
    return MediaMtxConfig.load(file());
  }
}
