package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy out of the official image, fed the tar archive a Docker engine sends for {@code /mediamtx}; the
 * archive holds a script standing in for the binary's {@code --version}. The engine calls themselves need a
 * Docker engine, which these machines lack.
 */
class OfficialImageTest {

  /** What {@code docker cp} sends for one file: a tar with that file, mode from the image (here not executable). */
  private static byte[] tarOf(String name, String content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      if (name.endsWith("/")) {
        tar.putArchiveEntry(new TarArchiveEntry(name));
      } else {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(data);
      }
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static OfficialImage.FileSource serving(byte[] tar, List<String> asked) {
    return (image, path, reader) -> {
      asked.add(image + " " + path);
      reader.accept(new ByteArrayInputStream(tar));
    };
  }

  @Test
  void aReleaseVersionNamesTheImageTagWithoutItsV() {
    assertThat(OfficialImage.image("v1.16.3")).isEqualTo("bluenviron/mediamtx:1.16.3");
    assertThat(OfficialImage.image("1.17.1")).isEqualTo("bluenviron/mediamtx:1.17.1");
  }

  @Test
  void onlyALinuxHostCanRunTheImagesBinary() {
    assertThat(OfficialImage.isLinux("Linux")).isTrue();
    assertThat(OfficialImage.isLinux("Mac OS X")).isFalse();
    assertThat(OfficialImage.isLinux(null)).isFalse();
  }

  @Test
  void theBinaryLandsExecutableInTheVersionKeyedCache(@TempDir Path cache) throws Exception {
    List<String> asked = new ArrayList<>();
    Path bin = OfficialImage.install("v1.16.3", cache,
        serving(tarOf("mediamtx", "#!/bin/sh\necho v1.16.3\n"), asked));

    assertThat(bin).isEqualTo(cache.resolve("v1.16.3").resolve("mediamtx"));
    assertThat(Files.isExecutable(bin)).isTrue();
    assertThat(MediaMtxBinary.version(bin)).isEqualTo("v1.16.3");
    assertThat(asked).containsExactly("bluenviron/mediamtx:1.16.3 /mediamtx");
    assertThat(MediaMtxBinary.require(List.of(bin.toString()))).as("found by the next run").isEqualTo(bin);
    try (var files = Files.list(bin.getParent())) {
      assertThat(files).as("no partial file left").containsExactly(bin);
    }
  }

  @Test
  void aBinaryOfAnotherVersionIsRefusedAndNothingIsLeft(@TempDir Path cache) throws Exception {
    assertThatThrownBy(() -> OfficialImage.install("v1.16.3", cache,
        serving(tarOf("mediamtx", "#!/bin/sh\necho v1.15.0\n"), new ArrayList<>())))
        .hasMessageContaining("cannot copy MediaMTX out of bluenviron/mediamtx:1.16.3")
        .hasMessageContaining("its binary reports version \"v1.15.0\", not v1.16.3");
    try (var files = Files.list(cache.resolve("v1.16.3"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void anArchiveWithoutAFileIsAClearError(@TempDir Path cache) throws Exception {
    assertThatThrownBy(() -> OfficialImage.install("v1.16.3", cache, serving(tarOf("mediamtx/", ""), new ArrayList<>())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot copy MediaMTX out of bluenviron/mediamtx:1.16.3")
        .hasMessageContaining("holds no file /mediamtx");
  }

  @Test
  void anEngineFailureNamesTheImageAndTheCache(@TempDir Path cache) {
    // docker-java reports in unchecked exceptions (NotFoundException, DockerClientException); I/O in checked ones
    for (RuntimeException unchecked : List.of(new IllegalArgumentException("pull access denied"), new UncheckedIOException(new IOException("pull access denied")))) {
      OfficialImage.FileSource failing = (image, path, reader) -> {
        throw unchecked;
      };
      assertThatThrownBy(() -> OfficialImage.install("v1.16.3", cache, failing))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bluenviron/mediamtx:1.16.3")
          .hasMessageContaining(cache.toString())
          .hasMessageContaining("pull access denied")
          .hasCause(unchecked);
    }
    OfficialImage.FileSource checked = (image, path, reader) -> {
      throw new IOException("connection reset");
    };
    assertThatThrownBy(() -> OfficialImage.install("v1.16.3", cache, checked)).hasMessageContaining("connection reset");
  }
}
