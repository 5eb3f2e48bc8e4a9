package io.mtxtoolkit.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunTest {

  @Test
  void keepsOutputAndErrorApartUnlessMerged() {
    ProcessRun.Result apart = ProcessRun.run(new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3"),
        Duration.ofSeconds(30));
    assertThat(apart).isEqualTo(new ProcessRun.Result(3, "out\n", "err\n"));

    ProcessRun.Result merged = ProcessRun.run(new ProcessBuilder("sh", "-c", "echo out; echo err >&2")
        .redirectErrorStream(true), Duration.ofSeconds(30));
    assertThat(merged).isEqualTo(new ProcessRun.Result(0, "out\nerr\n", ""));
  }

  @Test
  void aCommandReadingItsInputGetsItsEnd() {
    assertThat(ProcessRun.run(new ProcessBuilder("cat"), Duration.ofSeconds(30)).exit()).isZero();
  }

  /** A background child keeps the output open after its parent exits: the run still ends with the parent. */
  @Test
  void endsWithTheCommandEvenWhenAChildKeepsItsOutputOpen(@TempDir Path dir) throws Exception {
    Path pid = dir.resolve("pid");
    try {
      ProcessRun.Result r = ProcessRun.run(new ProcessBuilder("sh", "-c", "sleep 60 & echo $! > " + pid + "; echo started"),
          Duration.ofSeconds(30));
      assertThat(r.out()).isEqualTo("started\n");
    } finally {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aTimeoutStopsTheWholeTreeAndFailsWithTheCommandAndItsLastOutput(@TempDir Path dir) throws Exception {
    Path pid = dir.resolve("pid");
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 60 & echo $! > " + pid + "; echo waiting; echo stuck >&2; wait");

    assertThatThrownBy(() -> ProcessRun.run(pb, Duration.ofMillis(1500)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("sh -c sleep 60 &").hasMessageContaining("still running after 1500 ms")
        .hasMessageContaining("waiting").hasMessageContaining("stderr: stuck");
    ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElse(null);
    try {
      await("the background child stopped too").atMost(Duration.ofSeconds(10))
          .until(() -> child == null || !child.isAlive());
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
    }
  }
}
