package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.process.ProcessRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build/coverage-report.sh}: the total and the least-covered classes that {@code make test} prints. */
class CoverageReportScriptTest {
  private static final String HEADER = "GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,"
      + "BRANCH_COVERED,LINE_MISSED,LINE_COVERED,COMPLEXITY_MISSED,COMPLEXITY_COVERED,METHOD_MISSED,METHOD_COVERED\n";

  private static ProcessRun.Result report(Path csv, String... more) {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("bash",
        RepoFiles.resolve("build/coverage-report.sh").toString(), csv.toString()));
    cmd.addAll(java.util.List.of(more));
    return ProcessRun.run(new ProcessBuilder(cmd), Duration.ofSeconds(30));
  }

  @Test
  void listsTheLeastCoveredClassesOfTenLinesOrMoreWorstFirst(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("jacoco.csv"), HEADER
        + "m,p,Good,0,0,0,0,1,99,0,0,0,0\n"
        + "m,p,Thin,0,0,0,0,30,10,0,0,0,0\n"
        + "m,p,Tiny,0,0,0,0,5,0,0,0,0,0\n"
        + "m,q,Half,0,0,0,0,10,10,0,0,0,0\n"
        + "m,q,Launcher.new RunningWorker() {...},0,0,0,0,4,6,0,0,0,0\n");
    ProcessRun.Result r = report(csv, "3");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().toList()).containsExactly(
        "coverage: 71.4% of 175 lines; the least-covered classes of 10 lines or more:",
        "  covered  missed  lines  class",
        "    25.0%      30     40  p.Thin",
        "    50.0%      10     20  q.Half",
        "    60.0%       4     10  q.Launcher.new RunningWorker() {...}");
  }

  @Test
  void aMissingOrEmptyReportIsAnError(@TempDir Path dir) throws Exception {
    ProcessRun.Result missing = report(dir.resolve("absent.csv"));
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("no report at");
    ProcessRun.Result empty = report(Files.writeString(dir.resolve("empty.csv"), HEADER));
    assertThat(empty.exit()).as("a gate over no lines proves nothing").isEqualTo(3);
    assertThat(empty.err()).contains("the report lists no lines");
  }
}
