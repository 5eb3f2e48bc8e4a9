package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build/test.sh} ({@code make test}) deciding what to do when install.sh finds no MediaMTX (exit 3):
 * run in a copy of the repository's layout, with stand-ins for install.sh, {@code docker} and {@code mvn}
 * that log how they were called.
 */
class TestScriptTest {
  @TempDir
  Path tree;
  private Path bin;

  record Run(int exit, String output, String mvnArgs) {}

  @BeforeEach
  void layout() throws IOException {
    Files.createDirectories(tree.resolve("build"));
    Files.copy(RepoFiles.resolve("build/test.sh"), tree.resolve("build/test.sh"));
    Files.createDirectories(tree.resolve("deploy/mediamtx"));
    script(tree.resolve("deploy/mediamtx"), "install.sh", "echo 'install.sh: no source could provide MediaMTX' >&2\nexit 3\n");
    bin = Files.createDirectories(tree.resolve("stand-ins"));
    script(bin, "mvn", "echo \"$*\" > \"$MVN_LOG\"\n");
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
    pb.environment().put("MVN_LOG", tree.resolve("mvn.log").toString());
    pb.environment().remove("MEDIAMTX_FROM_IMAGE");
    pb.environment().remove("MTX_REQUIRE_MEDIAMTX");
    for (int i = 0; i < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("build/test.sh finished").isTrue();
    Path mvnLog = tree.resolve("mvn.log");
    return new Run(p.exitValue(), output, Files.exists(mvnLog) ? Files.readString(mvnLog).trim() : null);
  }

  @Test
  void aDockerEngineRunsTheMediaMtxTestsFromTheOfficialImage() throws Exception {
    docker(0);
    Run run = run("MTX_REQUIRE_MEDIAMTX", "1");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("official image").doesNotContain("EXCLUDED");
    assertThat(run.mvnArgs()).isEqualTo("verify -q");
    assertThat(tree.resolve("target/test-excluded.txt")).doesNotExist();
  }

  @Test
  void withoutAnEngineTheMediaMtxTestsAreExcludedLoudly() throws Exception {
    docker(1);
    Run run = run();
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("EXCLUDED", "Docker engine");
    assertThat(run.mvnArgs()).isEqualTo("verify -Dtest.excludedGroups=bench,mediamtx -q");
    assertThat(Files.readString(tree.resolve("target/test-excluded.txt"))).contains("install.sh exit 3");
  }

  @Test
  void theImageCanBeSwitchedOffAndThenARequiredMediaMtxFails() throws Exception {
    docker(0);
    assertThat(run("MEDIAMTX_FROM_IMAGE", "0").mvnArgs()).contains("-Dtest.excludedGroups=bench,mediamtx");
    Files.delete(tree.resolve("mvn.log"));
    Run required = run("MEDIAMTX_FROM_IMAGE", "0", "MTX_REQUIRE_MEDIAMTX", "1");
    assertThat(required.exit()).isEqualTo(3);
    assertThat(required.output()).contains("MTX_REQUIRE_MEDIAMTX=1");
    assertThat(required.mvnArgs()).as("no build").isNull();
  }
}
