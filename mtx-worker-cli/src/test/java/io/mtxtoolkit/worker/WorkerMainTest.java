package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkerMainTest {

  private static int run(Map<String, String> env, String... args) {
    return WorkerMain.run(args, env, w -> {});
  }

  @Test
  void missingSourceEndsWithExit4AfterTheAttempts() {
    int closed = FreePorts.tcp();
    AtomicReference<StreamWorker> seen = new AtomicReference<>();
    int code = WorkerMain.run(new String[] {"run", "--stream", "cam1", "--host", "127.0.0.1", "--rtsp-port",
        String.valueOf(closed), "--stall-timeout-ms", "500", "--reconnect-base-ms", "20"}, Map.of(), seen::set);
    assertThat(code).isEqualTo(WorkerExit.SOURCE_LOST.code());
    assertThat(seen.get().state()).isEqualTo(WorkerState.FAILED);
  }

  @Test
  void anUnexpectedFailureIsExit1AndOneErrorLineWithItsStackTrace() throws Exception {
    int[] code = new int[1];
    var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during(WorkerMain.class, () ->
        code[0] = WorkerMain.run(new String[] {"run", "--stream", "cam1"}, Map.of(), w -> {
          throw new IllegalStateException("natives missing");
        }));
    assertThat(code[0]).isEqualTo(WorkerMain.CRASHED);
    assertThat(lines).singleElement().satisfies(line -> {
      assertThat(line.getFormattedMessage()).isEqualTo("worker crashed: java.lang.IllegalStateException: natives missing");
      assertThat(java.util.Arrays.toString(line.getArgumentArray())).contains("event=worker-crashed");
      assertThat(line.getThrowableProxy()).as("the trace in the line, not printed beside it").isNotNull();
    });
  }

  @Test
  void withoutOptionsAWorkerUsesTheSpecsTimingsAndReadsRtspOverTcp() {
    WorkerMain.Run run = new WorkerMain.Run();
    new picocli.CommandLine(run).parseArgs("--stream", "cam1");
    WorkerConfig config = run.config(io.mtxtoolkit.core.path.StreamId.of("cam1"));

    assertThat(config.inputUrl()).isEqualTo("rtsp://localhost:8554/live/cam1/in");
    assertThat(config.outputUrl()).isEqualTo("rtmp://localhost:1935/live/cam1/out");
    assertThat(config.stallTimeout()).as("the spec: a lost source is detected within 5 s")
        .isLessThanOrEqualTo(java.time.Duration.ofSeconds(5)).isEqualTo(WorkerConfig.DEFAULT_STALL_TIMEOUT);
    assertThat(config.reconnect().delays()).as("the spec: 3 attempts after 1, 2 and 4 s")
        .containsExactly(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(4));
    assertThat(StreamWorker.inputOptions(config)).containsExactlyInAnyOrderEntriesOf(
        Map.of("rtsp_transport", "tcp", "timeout", String.valueOf(WorkerConfig.DEFAULT_STALL_TIMEOUT.toNanos() / 1000)));
    assertThat(StreamWorker.inputOptions(config.withUrls("rtmp://h/live/cam1/in", null)))
        .as("RTMP has no transport to choose").containsExactly(Map.entry("rw_timeout", "4000000"));
  }

  @Test
  void invalidInputIsExit3() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      var invalid = io.mtxtoolkit.testkit.logging.CapturedLines.during(WorkerEvents.LIFECYCLE_LOGGER, () ->
          assertThat(run(Map.of(), "run", "--stream", "a;touch x")).isEqualTo(WorkerExit.INVALID_INPUT.code()));
      assertThat(io.mtxtoolkit.testkit.logging.CapturedLines.withEvent(invalid, WorkerEvents.FAILED))
          .as("the verdict line: an orchestrator takes exit 3 as the worker's verdict only with it").singleElement()
          .satisfies(line -> assertThat(io.mtxtoolkit.testkit.logging.CapturedLines.arguments(line)).contains("exitCode=3"));
      assertThat(run(Map.of("MEDIAMTX_RTSP_PORT", "http"), "run", "--stream", "ok")).isEqualTo(3);
      assertThat(run(Map.of(), "run", "--stream", "ok", "--mode", "sideways")).isEqualTo(3);
      var verdict = io.mtxtoolkit.testkit.logging.CapturedLines.during(WorkerEvents.LIFECYCLE_LOGGER, () ->
          assertThat(run(Map.of(), "run", "--stream", "ok", "--mode", "transcode", "--step", "sepia"))
              .as("an unknown step is a media error (README)").isEqualTo(5));
      assertThat(io.mtxtoolkit.testkit.logging.CapturedLines.withEvent(verdict, WorkerEvents.FAILED))
          .as("the verdict line the orchestrator records as the reason").singleElement()
          .satisfies(line -> assertThat(line.getFormattedMessage()).contains("unknown processing step 'sepia'"))
          .satisfies(line -> assertThat(line.getMDCPropertyMap()).containsEntry("streamId", "ok"));
      assertThat(run(Map.of(), "run", "--stream", "ok", "--input-url", "http://x")).isEqualTo(3);
      assertThat(run(Map.of(), "run", "--stream", "ok", "--progress-ms", "-1")).isEqualTo(3);
    } finally {
      System.setErr(saved);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("';' (U+003B)", "MEDIAMTX_RTSP_PORT=http", "unknown mode 'sideways'",
        "unknown processing step 'sepia'", "--progress-ms must be 0 (none) or more, got -1");
  }

  @Test
  void aStreamIdThatLooksLikeAnOptionIsTakenAsTheId() {
    String closed = "rtmp://127.0.0.1:" + io.mtxtoolkit.testkit.mediamtx.FreePorts.tcp() + "/live/x/in";
    for (String[] ids : new String[][] {{"--stream=--help"}, {"--stream", "-h"}}) {
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run"));
      args.addAll(java.util.List.of(ids));
      args.addAll(java.util.List.of("--input-url", closed, "--reconnect-base-ms", "1", "--stall-timeout-ms", "500"));
      assertThat(run(Map.of(), args.toArray(String[]::new))).as("%s: ran and lost its source", String.join(" ", ids))
          .isEqualTo(WorkerExit.SOURCE_LOST.code());
    }
  }

  @Test
  void usageErrorsAreExit2AndHelpIs0() {
    assertThat(run(Map.of())).isEqualTo(WorkerExit.USAGE.code());
    assertThat(run(Map.of(), "run")).isEqualTo(2);
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(run(Map.of(), "run", "--help")).isZero();
    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(WorkerExit.ofCode(4)).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(WorkerState.RECONNECTING.wireName()).isEqualTo("reconnecting");
  }

  /**
   * SIGTERM while the JVM loads FFmpeg's libraries (seconds, before any worker exists) is a stop: exit 0, as the
   * README promises, not the JVM's 143. Waited for by the libraries appearing in the process's memory map.
   */
  @Test
  void sigtermWhileLoadingTheLibrariesExits0() throws Exception {
    int closed = FreePorts.tcp();
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), WorkerMain.class.getName(), "run", "--stream", "early", "--host",
        "127.0.0.1", "--rtsp-port", String.valueOf(closed)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      java.nio.file.Path maps = java.nio.file.Path.of("/proc/" + p.pid() + "/maps");
      org.awaitility.Awaitility.await("javacpp's libraries loading").atMost(java.time.Duration.ofSeconds(30))
          .pollInterval(java.time.Duration.ofMillis(5))
          .until(() -> !p.isAlive() || java.nio.file.Files.readString(maps).contains("javacpp"));
      p.toHandle().destroy();
      assertThat(p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("exit code after an early SIGTERM").isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
