package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.RepoFiles;
import io.mtxtoolkit.testkit.process.ProcessRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each packaged distribution holds one version of every library, and its launcher starts from anywhere. The launchers put {@code lib/*} on the
 * class path, so a jar left over from an earlier build (the assembly only ever adds) would be loaded
 * beside its successor and fail at run time with a NoSuchMethodError.
 */
class DistLayoutIT {

  /** {@code jackson-core-2.21.8.jar} → {@code jackson-core}; a classifier stays: {@code ffmpeg-8.1.2-1.5.14-linux-x86_64-gpl.jar} → {@code ffmpeg-linux-x86_64-gpl}. */
  static String withoutVersion(String jar) {
    return Arrays.stream(jar.substring(0, jar.length() - ".jar".length()).split("-"))
        .filter(token -> !Character.isDigit(token.charAt(0)))
        .collect(Collectors.joining("-"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mtx-hook-cli", "mtx-worker-cli", "mtx-orchestrator", "mtx-testkit"})
  void everyLibraryIsPackagedOnce(String module) throws IOException {
    Path lib = RepoFiles.resolve(module + "/target/dist/lib");
    assertThat(lib).as("%s is packaged (mvn package) before the integration tests run", module).isDirectory();
    Map<String, List<String>> byLibrary;
    try (Stream<Path> files = Files.list(lib)) {
      byLibrary = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar"))
          .collect(Collectors.groupingBy(DistLayoutIT::withoutVersion, TreeMap::new, Collectors.toList()));
    }
    assertThat(byLibrary).as("%s's lib/", module).isNotEmpty();
    assertThat(byLibrary.values()).as("libraries in %s's lib/ with more than one version", module).allSatisfy(jars -> assertThat(jars).hasSize(1));
  }

  /**
   * Each launcher, run by a relative path from its distribution, finds its jars with an exported CDPATH that
   * holds a {@code bin/} of its own: there {@code cd bin/..} goes elsewhere and prints the directory.
   */
  @ParameterizedTest
  @ValueSource(strings = {"mtx-hook-cli/mtx-hook", "mtx-worker-cli/mtx-worker", "mtx-orchestrator/mtx-orchestrator",
      "mtx-testkit/mtx-testkit"})
  void everyLauncherPrintsItsVersionUnderAnExportedCdpath(String moduleAndName, @TempDir Path elsewhere) throws Exception {
    String module = moduleAndName.substring(0, moduleAndName.indexOf('/'));
    String name = moduleAndName.substring(module.length() + 1);
    Files.createDirectories(elsewhere.resolve("bin"));
    ProcessBuilder pb = new ProcessBuilder("bin/" + name, "--version")
        .directory(RepoFiles.resolve(module + "/target/dist").toFile()).redirectErrorStream(true);
    pb.environment().put("CDPATH", elsewhere.toString());
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(30));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out().strip()).matches(Pattern.quote(name) + " \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @org.junit.jupiter.api.Test
  void aVersionIsToldFromTheNameAndTheClassifier() {
    assertThat(withoutVersion("jackson-core-2.21.8.jar")).isEqualTo("jackson-core");
    assertThat(withoutVersion("jackson-annotations-2.21.jar")).isEqualTo("jackson-annotations");
    assertThat(withoutVersion("ffmpeg-8.1.2-1.5.14-linux-x86_64-gpl.jar")).isEqualTo("ffmpeg-linux-x86_64-gpl");
    assertThat(withoutVersion("mtx-core-0.1.0-SNAPSHOT.jar")).isEqualTo("mtx-core-SNAPSHOT");
  }
}
