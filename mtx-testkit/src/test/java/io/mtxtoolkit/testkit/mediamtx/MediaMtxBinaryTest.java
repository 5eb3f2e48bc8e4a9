package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaMtxBinaryTest {

  @Test
  void acceptedVersionsStartWithThePin() {
    assertThat(MediaMtxBinary.acceptedVersions()).containsExactly("v1.16.3", "v1.17.1", "v1.18.2");
    assertThat(System.getProperty("mediamtx.version")).isEqualTo("v1.16.3");
  }

  @Test
  void looksInCacheThenPath() {
    List<String> candidates = MediaMtxBinary.searchedCandidates();
    String cached = MediaMtxBinary.cacheRoot().resolve("v1.16.3").resolve("mediamtx").toString();
    assertThat(candidates).contains(cached);
    assertThat(candidates.stream().filter(c -> c.endsWith("/mediamtx")).findFirst()).isPresent();
  }

  @Test
  void anExplicitChoiceThatIsNoExecutableIsAnErrorNotAFallBack() {
    System.setProperty("mediamtx.bin", "/opt/typo/mediamtx");
    try {
      assertThatThrownBy(MediaMtxBinary::require).hasMessageContaining("names no executable file: /opt/typo/mediamtx");
    } finally {
      System.clearProperty("mediamtx.bin");
    }
  }

  @Test
  void aProgramThatDoesNotAnswerTheVersionIsStoppedWithin(@TempDir Path dir) throws Exception {
    Path hangs = FakeBinaries.script(dir, "sleep 60 &\nwait");
    long start = System.nanoTime();
    assertThat(MediaMtxBinary.version(hangs, java.time.Duration.ofMillis(500))).isEmpty();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
  }

  @Test
  void explicitPropertyComesFirst() {
    System.setProperty("mediamtx.bin", "/opt/somewhere/mediamtx");
    try {
      assertThat(MediaMtxBinary.explicitCandidates().get(0)).isEqualTo("/opt/somewhere/mediamtx");
    } finally {
      System.clearProperty("mediamtx.bin");
    }
  }

  @Test
  void missingBinaryIsAnErrorThatSaysWhatToDo() {
    assertThatThrownBy(() -> MediaMtxBinary.require(List.of("/nonexistent/mediamtx")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MediaMTX binary not found")
        .hasMessageContaining("make mediamtx")
        .hasMessageContaining("MEDIAMTX_BIN")
        .hasMessageContaining("/nonexistent/mediamtx")
        .hasMessageContaining("Docker engine")
        .hasMessageContaining("bluenviron/mediamtx:1.16.3");
  }

  @Test
  void theOfficialImageIsTheLastSourceAndOnlyWhenUsable(@TempDir Path dir) throws Exception {
    Path fake = FakeBinaries.script(dir, "echo v1.16.3");
    Path fromImage = dir.resolve("from-image");
    List<String> none = List.of("/nonexistent/mediamtx");

    assertThat(MediaMtxBinary.require(List.of(), none, () -> true, () -> fromImage)).isEqualTo(fromImage);
    assertThat(MediaMtxBinary.require(List.of(), List.of(fake.toString()), () -> true, () -> {
      throw new AssertionError("the image is not asked when a binary is found");
    })).isEqualTo(fake);
    assertThatThrownBy(() -> MediaMtxBinary.require(List.of(), none, () -> false, () -> fromImage))
        .hasMessageContaining("MediaMTX binary not found");
  }

  @Test
  void aSearchedBinaryMustReportAnAcceptedVersionAnExplicitOneNeedNot(@TempDir Path dir) throws Exception {
    Path old = FakeBinaries.script(Files.createDirectories(dir.resolve("old")), "echo v1.15.0");
    Path foreign = Files.createDirectories(dir.resolve("foreign")).resolve("mediamtx");
    Files.write(foreign, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}); // another machine's binary: exec fails
    assertThat(foreign.toFile().setExecutable(true)).isTrue();
    Path pinned = FakeBinaries.script(Files.createDirectories(dir.resolve("pinned")), "echo v1.16.3");
    Path fromImage = dir.resolve("from-image");

    assertThat(MediaMtxBinary.require(List.of(), List.of(old.toString(), foreign.toString(), pinned.toString()),
        () -> false, () -> fromImage)).isEqualTo(pinned);
    assertThat(MediaMtxBinary.require(List.of(), List.of(old.toString(), foreign.toString()), () -> true, () -> fromImage))
        .as("neither is accepted: the image is next").isEqualTo(fromImage);
    assertThat(MediaMtxBinary.require(List.of(old.toString()), List.of(pinned.toString()), () -> false, () -> fromImage))
        .as("MEDIAMTX_BIN is used as given").isEqualTo(old);
    assertThatThrownBy(() -> MediaMtxBinary.require(List.of(), List.of(old.toString()), () -> false, () -> fromImage))
        .hasMessageContaining("at v1.16.3, v1.17.1, v1.18.2 only").hasMessageContaining(old.toString());
  }


  @Test
  void readsTheVersionAnExecutablePrints(@TempDir Path dir) throws Exception {
    Path fake = FakeBinaries.script(dir, "echo v9.9.9");
    assertThat(MediaMtxBinary.require(List.of(fake.toString()))).isEqualTo(fake);
    assertThat(MediaMtxBinary.version(fake)).isEqualTo("v9.9.9");
    assertThatThrownBy(() -> MediaMtxBinary.version(dir.resolve("absent"))).hasMessageContaining("cannot run");
  }
}
