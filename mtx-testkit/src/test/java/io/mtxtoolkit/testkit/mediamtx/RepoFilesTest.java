package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class RepoFilesTest {
  @Test
  void findsTheRepositoryFiles() {
    assertThat(Files.isRegularFile(RepoFiles.mediaMtxConfig())).isTrue();
    assertThat(RepoFiles.resolve("deploy/mediamtx/install.sh")).isExecutable();
  }

  @Test
  void walksUpWhenNoRootIsConfigured() {
    String saved = System.getProperty("mtx.repoRoot");
    System.setProperty("mtx.repoRoot", "/nonexistent");
    try {
      // MTX_REPO_ROOT (set by the build) or the working directory's parents still find it.
      assertThat(RepoFiles.root().resolve("deploy/mediamtx/mediamtx.yml")).exists();
    } finally {
      System.setProperty("mtx.repoRoot", saved);
    }
  }
}
