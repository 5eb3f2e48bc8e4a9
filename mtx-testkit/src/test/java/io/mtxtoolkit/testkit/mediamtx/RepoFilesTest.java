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
  void readsTheCheckoutsFileElseTheJarsCopy() throws Exception {
    String versions = Files.readString(RepoFiles.resolve("deploy/mediamtx/VERSIONS"));
    assertThat(RepoFiles.read("deploy/mediamtx/VERSIONS")).isEqualTo(versions);
    assertThat(RepoFiles.read("deploy/mediamtx/VERSIONS", java.util.Optional.empty(), () -> new IllegalStateException("none")))
        .as("outside a checkout: the copy the build put in the jar").isEqualTo(versions);
    assertThat(RepoFiles.read("deploy/mediamtx/mediamtx.yml", java.util.Optional.empty(), () -> new IllegalStateException("none")))
        .isEqualTo(Files.readString(RepoFiles.mediaMtxConfig()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RepoFiles.read("deploy/mediamtx/install.sh",
            java.util.Optional.empty(), () -> new IllegalStateException("cannot find the mtx-toolkit repository")))
        .hasMessage("cannot find the mtx-toolkit repository; the test kit's jar carries no deploy/mediamtx/install.sh");
  }

  @Test
  void outsideACheckoutNothingIsFoundAndInsideOneItIsFoundWalkingUp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThat(RepoFiles.find(dir)).as("no configured place, nothing above a temp directory").isEmpty();
    assertThat(RepoFiles.find(dir, "/nonexistent", " ", null)).as("configured places that are no checkout").isEmpty();
    java.nio.file.Path root = RepoFiles.root();
    assertThat(RepoFiles.find(root.resolve("mtx-testkit/src/main"))).as("walking up").hasValue(root);
    assertThat(RepoFiles.find(dir, root.toString())).as("a configured checkout").hasValue(root);
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
