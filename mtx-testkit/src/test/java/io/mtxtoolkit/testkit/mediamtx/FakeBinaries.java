package io.mtxtoolkit.testkit.mediamtx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shell scripts standing in for a binary's process behaviour (exit codes, output), never for MediaMTX's media. */
final class FakeBinaries {
  private FakeBinaries() {}

  /** {@code dir/mediamtx}, an executable shell script running {@code body}. */
  static Path script(Path dir, String body) throws IOException {
    Path file = dir.resolve("mediamtx");
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    if (!file.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + file + " executable");
    }
    return file;
  }
}
