package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How start-up failures of the MediaMTX process are reported, independent of MediaMTX itself. */
class MediaMtxServerStartupTest {

  @Test
  void aProcessThatExitsEarlyIsReportedWithItsOutput(@TempDir Path dir) throws Exception {
    Path broken = FakeBinaries.script(dir, "echo \"ERR: listen tcp :1935: bind: address already in use\"\nexit 1");
    assertThatThrownBy(() -> MediaMtxServer.builder().binary(broken).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MediaMTX exited with code 1 before")
        .hasMessageContaining("address already in use");
  }

  @Test
  void anUnrunnableBinaryIsReportedAndLeavesNoWorkDirectory(@TempDir Path dir) throws Exception {
    java.util.Set<Path> before = workDirs();
    assertThatThrownBy(() -> MediaMtxServer.builder().binary(dir.resolve("absent")).start())
        .hasMessageContaining("cannot start MediaMTX");
    assertThat(workDirs()).as("the configuration written for the run is gone").isSubsetOf(before);
  }

  private static java.util.Set<Path> workDirs() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith("mediamtx-test-")).collect(java.util.stream.Collectors.toSet());
    }
  }
}
