package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.process.ProcessRun;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build/test.sh} ({@code make test}) deciding what to do when install.sh finds no MediaMTX (exit 3):
 * run in a copy of the repository's layout, with stand-ins for install.sh, {@code docker}, {@code mvn} and
 * the packaged {@code mtx-testkit mediamtx} (which the stand-in {@code mvn package} writes), each logging
 * how it was called.
 */
class TestScriptTest {
  @TempDir
  Path tree;
  private Path bin;

  record Run(int exit, String output, List<String> mvnCalls) {}

  @BeforeEach
  void layout() throws IOException {
    Files.createDirectories(tree.resolve("build"));
    Files.copy(RepoFiles.resolve("build/test.sh"), tree.resolve("build/test.sh"));
    Files.createDirectories(tree.resolve("deploy/mediamtx"));
    script(tree.resolve("deploy/mediamtx"), "install.sh", "echo 'install.sh: no source could provide MediaMTX' >&2\nexit 3\n");
    bin = Files.createDirectories(tree.resolve("stand-ins"));
    // `mvn package` leaves the testkit's launcher, here one that prints FAKE_IMAGE_BIN or fails as the real one does
    script(bin, "mvn", """
        echo "$* MEDIAMTX_BIN=${MEDIAMTX_BIN:-}" >> "$MVN_LOG"
        case " $* " in *" package "*)
          mkdir -p mtx-testkit/target/dist/bin
          printf '#!/bin/sh\\necho "mediamtx $*" >> "$MVN_LOG"\\n[ -n "$FAKE_IMAGE_BIN" ] && { echo "$FAKE_IMAGE_BIN"; exit 0; }\\necho "mtx-testkit: cannot copy MediaMTX out of bluenviron/mediamtx:1.16.3" >&2; exit 7\\n' \\
            > mtx-testkit/target/dist/bin/mtx-testkit
          chmod +x mtx-testkit/target/dist/bin/mtx-testkit ;;
        esac
        """);
  }

  private static void script(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    assertThat(file.toFile().setExecutable(true)).isTrue();
  }

  private void docker(int infoExit) throws IOException {
    script(bin, "docker", "[ \"$1\" = info ] && exit " + infoExit + "\nexit 9\n");
  }

  private Run run(String... env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", tree.resolve("build/test.sh").toString(), "-q").redirectErrorStream(true);
    pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    Path mvnLog = tree.resolve("mvn.log");
    Files.deleteIfExists(mvnLog);
    pb.environment().put("MVN_LOG", mvnLog.toString());
    List.of("MEDIAMTX_FROM_IMAGE", "MTX_REQUIRE_MEDIAMTX", "MEDIAMTX_BIN", "FAKE_IMAGE_BIN", "MVN").forEach(pb.environment()::remove);
    for (int i = 0; i < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    ProcessRun.Result r = ProcessRun.run(pb, Duration.ofSeconds(30));
    return new Run(r.exit(), r.out(), Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of());
  }

  /** The run went on without the mediamtx tests, said so, and left {@code reason} for .ci/run's closing line. */
  private void assertExcluded(Run run, String reason) throws IOException {
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("EXCLUDED");
    assertThat(run.mvnCalls()).last().isEqualTo("verify -Dtest.excludedGroups=bench,mediamtx -q MEDIAMTX_BIN=");
    assertThat(Files.readString(tree.resolve("target/test-excluded.txt"))).contains(reason);
  }

  @Test
  void aDockerEngineGivesTheTestsTheBinaryOutOfTheOfficialImage() throws Exception {
    docker(0);
    Run run = run("FAKE_IMAGE_BIN", "/cache/v1.16.3/mediamtx", "MTX_REQUIRE_MEDIAMTX", "1");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("official image").doesNotContain("EXCLUDED");
    assertThat(run.mvnCalls()).containsExactly(
        "-B -q -pl mtx-testkit -am package -DskipTests -Djacoco.skip=true MEDIAMTX_BIN=",
        "mediamtx mediamtx",
        "verify -q MEDIAMTX_BIN=/cache/v1.16.3/mediamtx");
    assertThat(tree.resolve("target/test-excluded.txt")).doesNotExist();
  }

  @Test
  void theMavenCommandOfMvnRunsBothBuildsWithItsFlags() throws Exception {
    docker(0);
    Run run = run("FAKE_IMAGE_BIN", "/cache/v1.16.3/mediamtx", "MVN", "mvn -o");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.mvnCalls()).containsExactly(
        "-o -B -q -pl mtx-testkit -am package -DskipTests -Djacoco.skip=true MEDIAMTX_BIN=",
        "mediamtx mediamtx",
        "-o verify -q MEDIAMTX_BIN=/cache/v1.16.3/mediamtx");
  }

  @Test
  void anEngineThatCannotServeTheImageExcludesTheTestsWithTheReason() throws Exception {
    docker(0);
    Run run = run();
    assertExcluded(run, "the official image failed");
    assertThat(run.output()).contains("cannot copy MediaMTX out of bluenviron/mediamtx:1.16.3");
  }

  @Test
  void withoutAnEngineNothingIsBuiltAndTheTestsAreExcludedLoudly() throws Exception {
    docker(1);
    Run run = run();
    assertExcluded(run, "install.sh exit 3");
    assertThat(run.mvnCalls()).as("nothing built for the image").hasSize(1);
    assertThat(run.output()).contains("Docker engine");
  }

  @Test
  void theImageCanBeSwitchedOffAndThenARequiredMediaMtxFails() throws Exception {
    docker(0);
    Run off = run("MEDIAMTX_FROM_IMAGE", "0", "FAKE_IMAGE_BIN", "/cache/v1.16.3/mediamtx");
    assertExcluded(off, "MEDIAMTX_FROM_IMAGE=0");
    assertThat(off.mvnCalls()).hasSize(1);

    Run required = run("MEDIAMTX_FROM_IMAGE", "0", "MTX_REQUIRE_MEDIAMTX", "1");
    assertThat(required.exit()).isEqualTo(3);
    assertThat(required.output()).contains("MTX_REQUIRE_MEDIAMTX=1");
    assertThat(required.mvnCalls()).as("no build").isEmpty();
  }
}
