package io.mtxtoolkit.testkit.docs;

import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command blocks of README.md marked {@code <!-- docs-test: NAME -->}, by name. */
final class ReadmeCommands {
  private static final Pattern BLOCK = Pattern.compile("<!-- docs-test: ([a-z0-9-]+) -->\\s*```sh\\n(.*?)\\n```", Pattern.DOTALL);

  private ReadmeCommands() {}

  static Map<String, String> load() {
    try {
      String readme = Files.readString(RepoFiles.resolve("README.md"));
      Map<String, String> blocks = new LinkedHashMap<>();
      Matcher m = BLOCK.matcher(readme);
      while (m.find()) {
        blocks.put(m.group(1), m.group(2).strip());
      }
      return blocks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code command} with the default ports replaced, run from the repository root. */
  static ProcessBuilder process(String command, int rtmpPort, int rtspPort, Path log) {
    String adapted = command.replace("localhost:1935", "127.0.0.1:" + rtmpPort).replace("localhost:8554", "127.0.0.1:" + rtspPort);
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", adapted).directory(RepoFiles.root().toFile()).redirectErrorStream(true);
    return log == null ? pb : pb.redirectOutput(log.toFile());
  }

  /** Fails loudly when a tool the README uses is missing: a skipped docs test would prove nothing. */
  static void requireTool(String tool, String debianPackage) {
    io.mtxtoolkit.testkit.process.Tools.require(debianPackage, tool);
  }
}
