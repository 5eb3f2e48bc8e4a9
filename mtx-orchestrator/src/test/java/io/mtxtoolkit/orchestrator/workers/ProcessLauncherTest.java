package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import org.junit.jupiter.api.Test;

/** How a worker process's exit code becomes the result the lifecycle acts on. */
class ProcessLauncherTest {
  @Test
  void theWorkersOwnCodesAreItsVerdict() {
    assertThat(ProcessLauncher.result(0, null, null, false)).isEqualTo(new WorkerResult(WorkerExit.STOPPED, "stopped on request"));
    assertThat(ProcessLauncher.result(0, "[tcp @ 0x1] Connection refused", null, false).reason())
        .as("an error logged before the stop is not its reason").isEqualTo("stopped on request");
    WorkerResult lost = ProcessLauncher.result(4, "source lost: 3 reconnect attempts failed", null, false);
    assertThat(lost.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(lost.reason()).isEqualTo("source lost: 3 reconnect attempts failed");
    assertThat(lost.crashed()).isFalse();
    assertThat(ProcessLauncher.result(0, null, "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes", false).reason())
        .as("a JVM's start-up warning is no reason for a stop").isEqualTo("stopped on request");
  }

  @Test
  void theJvmsBannersExplainNothing() {
    assertThat(ProcessLauncher.isJvmBanner("Picked up JAVA_TOOL_OPTIONS: -Xmx1g")).isTrue();
    assertThat(ProcessLauncher.isJvmBanner("OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes")).isTrue();
    assertThat(ProcessLauncher.isJvmBanner("#")).isTrue();
    assertThat(ProcessLauncher.isJvmBanner("# A fatal error has been detected by the Java Runtime Environment:")).isFalse();
    assertThat(ProcessLauncher.isJvmBanner("Exception in thread \"main\" java.lang.OutOfMemoryError")).isFalse();
  }

  @Test
  void aCrashWithoutAnErrorLineIsExplainedByTheJvmsOwnWords() {
    assertThat(ProcessLauncher.result(1, null, "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", false).reason())
        .isEqualTo("worker process died with exit code 1; it said: Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
  }

  @Test
  void aCollectorChosenWhereTheChildJvmLooksByItselfWinsOverTheSerialDefault() {
    for (String[] chosen : new String[][] {{"JAVA_TOOL_OPTIONS", "-Dx=1 -XX:+UseG1GC"}, {"JDK_JAVA_OPTIONS", "\"-XX:+UseZGC\""},
        {"_JAVA_OPTIONS", "-XX:+UseParallelGC"}}) {
      assertThat(ProcessLauncher.jvmOptions(java.util.Map.of(chosen[0], chosen[1]))).as(String.join("=", chosen))
          .doesNotContain("-XX:+UseSerialGC").contains("-Xmx64m");
    }
    assertThat(ProcessLauncher.jvmOptions(java.util.Map.of("JDK_JAVA_OPTIONS", "-Xss1m"))).contains("-XX:+UseSerialGC");
    assertThat(ProcessLauncher.jvmOptions(java.util.Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseMaximumCompactionOnSystemGC")))
        .as("a flag named like one that chooses no collector").contains("-XX:+UseSerialGC");
    assertThat(ProcessLauncher.jvmOptions(java.util.Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseG1GC",
        "MTX_WORKER_JAVA_OPTS", "-XX:+UseSerialGC -Xmx128m"))).as("over a copy of the defaults too").containsExactly("-Xmx128m");
  }

  @Test
  void theWorkerJvmsFlagsComeFromMtxWorkerJavaOptsWhenSet() {
    assertThat(ProcessLauncher.jvmOptions(java.util.Map.of())).isEqualTo(ProcessLauncher.DEFAULT_JVM_OPTIONS)
        .contains("-Xmx64m").as("no OutOfMemoryError from JavaCPP at 4x the heap's resident memory")
        .contains("-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");
    assertThat(ProcessLauncher.jvmOptions(java.util.Map.of("MTX_WORKER_JAVA_OPTS", "  "))).as("blank is unset")
        .isEqualTo(ProcessLauncher.DEFAULT_JVM_OPTIONS);
    java.util.List<String> opts = ProcessLauncher.jvmOptions(java.util.Map.of("MTX_WORKER_JAVA_OPTS", " -Xmx256m\t-Dx=1 "));
    assertThat(opts).containsExactly("-Xmx256m", "-Dx=1");

    io.mtxtoolkit.core.path.StreamId id = io.mtxtoolkit.core.path.StreamId.of("cam1");
    java.util.List<String> cmd = new ProcessLauncher(new io.mtxtoolkit.core.path.MediaMtxEndpoints("127.0.0.1", 8554, 1935),
        opts, java.util.List.of(), System.out).command(id, "");
    assertThat(cmd.subList(1, 3)).as("the flags follow the java command and replace the defaults")
        .containsExactly("-Xmx256m", "-Dx=1");
    assertThat(cmd).doesNotContain("-Xmx64m").contains("--stream=cam1");
    assertThat(String.join(" ", cmd)).as("the worker reports its /out's lag").contains("--progress-ms 5000");
  }

  /** A stand-in worker that says {@code lines} (JSON, one per argument) and then waits to be stopped. */
  private static RunningWorker saying(java.io.PrintStream sink, java.util.function.Consumer<io.mtxtoolkit.worker.WorkerState> onState,
                                      String... lines) {
    StringBuilder script = new StringBuilder();
    for (String line : lines) {
      script.append("echo '").append(line).append("'; ");
    }
    script.append("exec sleep 60");
    ProcessLauncher launcher = new ProcessLauncher(new io.mtxtoolkit.core.path.MediaMtxEndpoints("127.0.0.1", 8554, 1935),
        java.util.List.of(), sink, (id, sourceId) -> java.util.List.of("sh", "-c", script.toString()));
    return launcher.launch(io.mtxtoolkit.core.path.StreamId.of("cam1"), "", onState);
  }

  /** The lag a stand-in worker's handle shows once its {@code lines} are read (the last one a state event, {@code last}). */
  private static java.util.OptionalLong lagOnceSaid(java.io.PrintStream sink, io.mtxtoolkit.worker.WorkerState last,
                                                    String... lines) {
    java.util.List<io.mtxtoolkit.worker.WorkerState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    RunningWorker worker = saying(sink, states::add, lines);
    try {
      org.awaitility.Awaitility.await("the lines read, up to " + last).atMost(java.time.Duration.ofSeconds(10))
          .until(() -> states.contains(last));
      return worker.outputLagMillis();
    } finally {
      worker.kill();
    }
  }

  /** worker-progress lines carry /out's lag to /v1/streams and stay out of the orchestrator's log; a reconnect clears it. */
  @Test
  void aWorkersProgressLinesGiveItsLagAndAreNotLogged() {
    String running = "{\"event\":\"worker-running\",\"message\":\"worker running\"}";
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    assertThat(lagOnceSaid(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8),
        io.mtxtoolkit.worker.WorkerState.RUNNING, "{\"event\":\"worker-progress\",\"lagMs\":120,\"packets\":500}", running))
        .hasValue(120);
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("worker-running").doesNotContain("worker-progress");
    assertThat(lagOnceSaid(System.out, io.mtxtoolkit.worker.WorkerState.RECONNECTING,
        "{\"event\":\"worker-progress\",\"lagMs\":80}", "{\"event\":\"worker-reconnect\",\"message\":\"lost\"}"))
        .as("no /out while reconnecting").isEmpty();
    assertThat(lagOnceSaid(System.out, io.mtxtoolkit.worker.WorkerState.RUNNING, "{\"event\":\"worker-progress\",\"lagMs\":80}",
        "{\"event\":\"worker-progress\",\"packets\":9}", running))
        .as("a progress line without lagMs: not publishing").isEmpty();
  }

  @Test
  void sigtermBeforeTheWorkersHandlerIsAStopNotAMediaError() {
    WorkerResult r = ProcessLauncher.result(143, null, null, false);

    assertThat(r.exit()).isEqualTo(WorkerExit.STOPPED);
    assertThat(r.reason()).isEqualTo("ended by SIGTERM while starting");
    assertThat(r.outcome()).as("counted as a stop, not a crash").isEqualTo("stopped");
    assertThat(ProcessLauncher.result(137, null, null, false).outcome()).isEqualTo(WorkerResult.CRASHED);
    assertThat(ProcessLauncher.result(4, null, null, false).outcome()).isEqualTo("source-lost");
    assertThat(ProcessLauncher.result(6, "output lost: 3 reconnect attempts failed", null, false))
        .as("a refused /out is the worker's own verdict, not a crash")
        .isEqualTo(new WorkerResult(WorkerExit.OUTPUT_LOST, "output lost: 3 reconnect attempts failed"));
  }

  /** A worker process keeps the --source-id it was started with: its lines are given the publisher's new one. */
  @Test
  void aWorkersLinesNameThePublisherItWasLastToldOf(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.File go = dir.resolve("go").toFile();
    String script = "echo '{\"event\":\"worker-running\",\"sourceId\":\"c1\"}'; "
        + "while [ ! -e " + go + " ]; do sleep 0.02; done; "
        + "echo '{\"event\":\"worker-reconnect\",\"sourceId\":\"c1\",\"attempt\":1}'; "
        + "echo '{\"event\":\"worker-progress\",\"sourceId\":\"c1\"}'; echo 'plain words'; exit 4";
    java.util.List<io.mtxtoolkit.worker.WorkerState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    var plain = io.mtxtoolkit.testkit.logging.CapturedLines.during("mtx-worker", () -> {
      RunningWorker w = shell(script, log).launch(io.mtxtoolkit.core.path.StreamId.of("cam1"), "c1", states::add);
      org.awaitility.Awaitility.await("running").atMost(java.time.Duration.ofSeconds(10))
          .until(() -> states.contains(io.mtxtoolkit.worker.WorkerState.RUNNING));
      w.publisherChanged("c9");
      assertThat(go.createNewFile()).isTrue();
      w.exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    });

    java.util.List<String> lines = log.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).containsExactly("{\"event\":\"worker-running\",\"sourceId\":\"c1\"}",
        "{\"event\":\"worker-reconnect\",\"sourceId\":\"c9\",\"attempt\":1}");
    assertThat(io.mtxtoolkit.testkit.logging.CapturedLines.arguments(plain.get(0))).contains("sourceId=c9");
    assertThat(ProcessLauncher.withPublisher((com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"a\":1,\"sourceId\":\"c1\"}"), "", ""))
        .as("an unknown publisher: no name").isEqualTo("{\"a\":1}");
  }

  @Test
  void sigtermAfterTheWorkerSpokeMeansItsStopOverranItsBudget() throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    // a worker whose handler gave up on its close: the JVM ends with SIGTERM's own status
    WorkerResult r = shell("echo '{\"event\":\"worker-running\"}'; kill -TERM $$", log)
        .launch(io.mtxtoolkit.core.path.StreamId.of("cam1"), "", s -> { }).exit().get(10, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(r.outcome()).isEqualTo("stopped");
    assertThat(r.reason()).as("not a stop during start-up: /out lost its trailer")
        .isEqualTo("stopped on request, but /out was not closed within the worker's stop budget");
    assertThat(ProcessLauncher.result(143, null, null, false).reason()).isEqualTo("ended by SIGTERM while starting");
  }

  @Test
  void aPlainTextLineFromTheWorkerBecomesALogLineWithTheStreamsFields() throws Exception {
    var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during("mtx-worker", () ->
        ProcessLauncher.logPlain(io.mtxtoolkit.core.path.StreamId.of("cam1"), "c1", "Exception in thread \"main\" {} java.lang.Error"));
    assertThat(lines).singleElement().satisfies(line -> {
      assertThat(line.getFormattedMessage()).as("the text is not a pattern").isEqualTo("Exception in thread \"main\" {} java.lang.Error");
      assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
      assertThat(java.util.Arrays.toString(line.getArgumentArray()))
          .contains("event=worker-output", "streamId=cam1", "path=live/cam1/in", "sourceId=c1");
    });
  }

  @Test
  void aChildThatCannotBeStartedIsAFailedLaunchNotAWorker() {
    // The JDK refuses a NUL in an argument before it forks, as it would fail for EAGAIN or EMFILE.
    ProcessLauncher launcher = new ProcessLauncher(new io.mtxtoolkit.core.path.MediaMtxEndpoints("127.0.0.1", 8554, 1935),
        java.util.List.of("--step=bad\0arg"), System.out);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcher.launch(io.mtxtoolkit.core.path.StreamId.of("cam1"), "", s -> { }))
        .isInstanceOf(java.io.UncheckedIOException.class).hasMessageStartingWith("cannot start worker process: ");
  }

  @Test
  void otherSignalsAreCrashesNamingTheSignalAndTheLastError() {
    WorkerResult r = ProcessLauncher.result(137, "cannot read rtsp://h/live/a/in", null, false);

    assertThat(r.crashed()).isTrue();
    assertThat(r.streamUnusable()).as("a crash says nothing about the stream").isFalse();
    assertThat(r.reason()).isEqualTo("worker process died with exit code 137 (signal 9); last error: cannot read rtsp://h/live/a/in");
  }

  /** A launcher whose child is {@code sh -c script} (the script sees the stream id as $1), its output in {@code log}. */
  private static ProcessLauncher shell(String script, java.io.ByteArrayOutputStream log) {
    return new ProcessLauncher(new io.mtxtoolkit.core.path.MediaMtxEndpoints("127.0.0.1", 8554, 1935), java.util.List.of(),
        new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8),
        (id, sourceId) -> java.util.List.of("sh", "-c", script, "worker", id.value(), sourceId));
  }

  @Test
  void theChildsLinesAreCopiedReadForItsStateAndItsLastErrorIsTheReason() throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.util.List<io.mtxtoolkit.worker.WorkerState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    WorkerResult[] result = new WorkerResult[1];
    RunningWorker[] worker = new RunningWorker[1];
    var plain = io.mtxtoolkit.testkit.logging.CapturedLines.during("mtx-worker", () -> {
      worker[0] = shell("""
          echo '{"event":"worker-running","level":"INFO","message":"running"}'
          echo '{"event":"worker-reconnect","level":"WARN","message":"attempt 1"}'
          echo '[tcp @ 0x1] Connection refused'
          echo '{"event":"worker-gave-up","level":"ERROR","message":"source lost: 3 reconnect attempts failed"}'
          echo '{not json'
          exit 4
          """, log).launch(io.mtxtoolkit.core.path.StreamId.of("cam1"), "conn-7", states::add);
      result[0] = worker[0].exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    });
    RunningWorker w = worker[0];
    WorkerResult r = result[0];

    assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(r.reason()).isEqualTo("source lost: 3 reconnect attempts failed");
    assertThat(states).containsExactly(io.mtxtoolkit.worker.WorkerState.RUNNING, io.mtxtoolkit.worker.WorkerState.RECONNECTING);
    assertThat(w.handle()).matches("pid \\d+");
    java.util.List<String> lines = log.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).as("the worker's JSON lines, as they are").hasSize(3).allMatch(l -> l.startsWith("{\"event\""));
    assertThat(plain).as("the others are lines of the service's own log, with the stream's fields")
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .containsExactly("[tcp @ 0x1] Connection refused", "{not json");
    assertThat(io.mtxtoolkit.testkit.logging.CapturedLines.arguments(plain.get(0))).contains("sourceId=conn-7", "event=worker-output");
  }

  /**
   * Exit 3 or 5 ends a stream's restarts only as the worker's own verdict, which it announces in its worker-failed
   * line: a JVM ends with 3 by itself under -XX:+ExitOnOutOfMemoryError, a crash a restart may cure.
   */
  @Test
  void exitThreeOrFiveIsAVerdictOnlyWhenTheWorkerSaidSo() throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    WorkerResult oom = shell("""
        echo '{"event":"worker-running","level":"INFO","message":"running"}'
        echo 'Terminating due to java.lang.OutOfMemoryError: Java heap space'
        exit 3
        """, log).launch(io.mtxtoolkit.core.path.StreamId.of("a"), "", s -> { }).exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(oom.crashed()).isTrue();
    assertThat(oom.streamUnusable()).as("restarted, not failed for good").isFalse();
    assertThat(oom.reason()).contains("exit code 3 without the worker's verdict", "OutOfMemoryError");

    WorkerResult media = shell("""
        echo '{"event":"worker-failed","level":"ERROR","message":"worker failed: unsupported codec","exitCode":5}'
        exit 5
        """, log).launch(io.mtxtoolkit.core.path.StreamId.of("b"), "", s -> { }).exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(media).isEqualTo(new WorkerResult(WorkerExit.MEDIA_ERROR, "worker failed: unsupported codec"));
    assertThat(media.streamUnusable()).isTrue();

    assertThat(ProcessLauncher.result(5, "worker failed: x", null, true, 3).crashed()).as("another code announced").isTrue();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(ProcessLauncher.exitCode(json.readTree("{\"exitCode\":5}"))).isEqualTo(5);
    assertThat(ProcessLauncher.exitCode(json.readTree("{\"exitCode\":\" 5\"}"))).as("as text, from a logging set-up of one's own").isEqualTo(5);
    assertThat(ProcessLauncher.exitCode(json.readTree("{\"exitCode\":\"five\"}"))).isEqualTo(ProcessLauncher.NO_VERDICT);
    assertThat(ProcessLauncher.exitCode(json.readTree("{}"))).isEqualTo(ProcessLauncher.NO_VERDICT);
  }

  /**
   * A worker process is not told of its stream's not-ready; its verdict of a source lost is relevelled to WARN as it
   * is copied, as a worker in the service's JVM logs it itself: the publisher leaving is no error.
   */
  @Test
  void aSourceLostAfterTheNotReadyIsCopiedAsAWarning(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path go = dir.resolve("go");
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    RunningWorker w = shell("while [ ! -e '" + go + "' ]; do sleep 0.05; done\n"
        + "echo '{\"event\":\"worker-failed\",\"level\":\"ERROR\",\"message\":\"worker failed: source lost\",\"exitCode\":4}'\n"
        + "exit 4\n", log).launch(io.mtxtoolkit.core.path.StreamId.of("left"), "", s -> { });
    w.publisherReady(false);
    java.nio.file.Files.createFile(go); // the line comes after the not-ready
    assertThat(w.exit().get(10, java.util.concurrent.TimeUnit.SECONDS).exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"level\":\"WARN\"", "\"exitCode\":4",
        "source lost (its publisher had left)").doesNotContain("ERROR");
  }

  @Test
  void stopIsSigtermAndKillIsSigkill() throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    // the trap first: a SIGTERM right after the line must find it installed
    String waits = "trap 'exit 0' TERM; echo '{\"event\":\"worker-running\"}'; while :; do sleep 0.05; done";
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(2);
    RunningWorker stopped = shell(waits, log).launch(io.mtxtoolkit.core.path.StreamId.of("a"), "", s -> running.countDown());
    RunningWorker killed = null;
    try {
      killed = shell(waits, log).launch(io.mtxtoolkit.core.path.StreamId.of("b"), "", s -> running.countDown());
      assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("both children said they run").isTrue();

      stopped.stop();
      killed.kill();

      assertThat(stopped.exit().get(10, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(new WorkerResult(WorkerExit.STOPPED, "stopped on request"));
      WorkerResult k = killed.exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(k.crashed()).isTrue();
      assertThat(k.reason()).startsWith("worker process died with exit code 137 (signal 9)");
    } finally {
      // Both loop forever: a failure above must not leave them (and their sleeps) running.
      stopped.kill();
      if (killed != null) {
        killed.kill();
      }
    }
  }
}
