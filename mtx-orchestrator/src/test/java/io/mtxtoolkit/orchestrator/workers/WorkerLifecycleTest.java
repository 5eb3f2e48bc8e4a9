package io.mtxtoolkit.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.orchestrator.OrchestratorServer;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import io.mtxtoolkit.testkit.http.Http;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import io.mtxtoolkit.worker.WorkerConfig;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lifecycle with real workers (child JVMs and threads) between FFmpeg RTMP endpoints. */
class WorkerLifecycleTest {
  private static final StreamId ID = StreamId.of("cam1");
  private final ByteArrayOutputStream childLogs = new ByteArrayOutputStream();

  private static String rtmp(String path) {
    return "rtmp://127.0.0.1:" + FreePorts.tcp() + "/" + path;
  }

  private ProcessLauncher processLauncher(String in, String out) {
    return new ProcessLauncher(MediaMtxEndpoints.defaults(), List.of("--input-url", in, "--output-url", out,
        "--reconnect-base-ms", "100", "--stall-timeout-ms", "2000"), new PrintStream(childLogs, true, StandardCharsets.UTF_8));
  }

  private static LifecyclePolicy policy(Duration grace, int maxRestarts) {
    return new LifecyclePolicy(grace, Duration.ofMillis(50), Duration.ofMillis(200), maxRestarts);
  }

  /** What a test does with a manager whose child-process worker for {@link #ID} is running. */
  private interface WithRunningChild {
    void check(WorkerManager manager) throws Exception;
  }

  /** A child-process worker between a served test source and an RTMP sink, delivering and reported running. */
  private void withRunningChild(WithRunningChild test) throws Exception {
    String in = rtmp("live/cam1/in");
    String out = rtmp("live/cam1/out");
    try (RtmpSink sink = RtmpSink.listen(out, Duration.ofSeconds(60));
         WorkerManager manager = new WorkerManager(processLauncher(in, out), policy(Duration.ofMillis(200), 3), Clock.systemUTC())) {
      manager.ready(ID);
      try (TestStreamPublisher source = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(40))) {
        sink.awaitPackets(50, Duration.ofSeconds(30));
        await("worker reported running").atMost(Duration.ofSeconds(10))
            .until(() -> manager.stream(ID).orElseThrow().workerState().equals("running"));
        test.check(manager);
      }
    }
  }

  @Test
  void childProcessWorkerRunsAndStopsAfterTheGracePeriod() throws Exception {
    withRunningChild(manager -> {
      StreamView running = manager.stream(ID).orElseThrow();
      assertThat(running.worker()).startsWith("pid ");
      assertThat(running.launchMode()).isEqualTo("process");
      manager.notReady(ID);
      await("worker stopped after the grace period").atMost(Duration.ofSeconds(15))
          .until(() -> manager.stream(ID).orElseThrow().workerState().equals("stopped"));
      StreamView stopped = manager.stream(ID).orElseThrow();
      assertThat(stopped.lastExitCode()).as("clean exit on SIGTERM").isZero();
      assertThat(stopped.worker()).isNull();
    });
    assertThat(childLogs.toString(StandardCharsets.UTF_8)).contains("\"event\":\"worker-running\"", "\"streamId\":\"cam1\"");
  }

  @Test
  void childKilledWithSigkillIsRestartedWithBackoff() throws Exception {
    withRunningChild(manager -> {
      String first = manager.stream(ID).orElseThrow().worker();
      long killed = System.nanoTime();

      ProcessHandle.of(Long.parseLong(first.substring("pid ".length()))).orElseThrow().destroyForcibly();

      await("a new worker process after kill -9 of " + first).atMost(Duration.ofSeconds(15)).until(() -> {
        String now = manager.stream(ID).orElseThrow().worker();
        return now != null && !now.equals(first);
      });
      System.out.printf("worker restarted %d ms after kill -9%n", (System.nanoTime() - killed) / 1_000_000);
      StreamView restarted = manager.stream(ID).orElseThrow();
      assertThat(restarted.restarts()).isEqualTo(1);
      assertThat(restarted.lastExitReason()).isEqualTo("worker process died with exit code 137 (signal 9)");
      assertThat(restarted.failedReason()).isNull();
    });
  }

  @Test
  void childThatCannotReachItsSourceIsRestartedThenMarkedFailed() {
    String closed = rtmp("live/cam1/in");
    try (WorkerManager manager = new WorkerManager(processLauncher(closed, rtmp("live/cam1/out")), policy(Duration.ZERO, 1),
        Clock.systemUTC())) {
      manager.ready(ID);
      await("stream failed").atMost(Duration.ofSeconds(40))
          .until(() -> manager.stream(ID).orElseThrow().workerState().equals("failed"));
      StreamView failed = manager.stream(ID).orElseThrow();
      assertThat(failed.lastExitCode()).isEqualTo(4);
      assertThat(failed.restarts()).isEqualTo(1);
      assertThat(failed.failedReason()).contains("2 times in a row").contains("3 reconnect attempts failed");
    }
  }

  @Test
  void aStreamIdThatLooksLikeAnOptionReachesTheChildAsTheId() {
    StreamId optionLike = StreamId.of("--help"); // valid: [A-Za-z0-9_-]
    try (WorkerManager manager = new WorkerManager(processLauncher(rtmp("live/x/in"), rtmp("live/x/out")),
        policy(Duration.ZERO, 0), Clock.systemUTC())) {
      manager.ready(optionLike);
      await("the child ends").atMost(Duration.ofSeconds(40))
          .until(() -> manager.stream(optionLike).orElseThrow().workerState().equals("failed"));
      assertThat(manager.stream(optionLike).orElseThrow().lastExitCode())
          .as("the worker ran (source lost), it did not stop at a usage error; log: %s", childLogs).isEqualTo(4);
    }
  }

  @Test
  void threadWorkerServesTheSamePipelineInProcess() throws Exception {
    String in = rtmp("live/cam1/in");
    String out = rtmp("live/cam1/out");
    ThreadLauncher launcher = new ThreadLauncher(id -> new WorkerConfig(id, in, out, WorkerConfig.Mode.PASSTHROUGH, null,
        Duration.ofSeconds(2), ReconnectPolicy.exponential(Duration.ofMillis(100), 3)));
    try (RtmpSink sink = RtmpSink.listen(out, Duration.ofSeconds(60));
         WorkerManager manager = new WorkerManager(launcher, policy(Duration.ofMillis(100), 3), Clock.systemUTC())) {
      manager.ready(ID);
      try (TestStreamPublisher source = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(40))) {
        sink.awaitPackets(50, Duration.ofSeconds(30));
        assertThat(manager.stream(ID).orElseThrow().worker()).startsWith("thread worker-cam1-");
        await().atMost(Duration.ofSeconds(5)).until(() -> manager.stream(ID).orElseThrow().workerState().equals("running"));
      }
    }
  }

  /** What a test does with a thread worker blocked in FFmpeg's open of a source that accepts and never answers. */
  private interface WithOpeningWorker {
    void check(RunningWorker worker) throws Exception;
  }

  /** The source accepts and never answers: FFmpeg's open blocks until its 4 s timeout and cannot be interrupted. */
  private void withThreadWorkerOpeningASilentSource(WithOpeningWorker test) throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String in = "rtmp://127.0.0.1:" + silent.getLocalPort() + "/live/cam1/in";
      ThreadLauncher launcher = new ThreadLauncher(id -> new WorkerConfig(id, in, rtmp("live/cam1/out"),
          WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(4), ReconnectPolicy.spec()));
      RunningWorker worker = launcher.launch(ID, state -> { });
      silent.setSoTimeout(10_000);
      try (Socket opening = silent.accept()) {
        test.check(worker);
      }
    }
  }

  @Test
  void threadWorkerStillOpeningASilentSourceStopsAtOnce() throws Exception {
    withThreadWorkerOpeningASilentSource(worker -> {
      long stop = System.nanoTime();
      worker.stop();

      // 3 s: room for a loaded machine, and still short of the 4 s open that a stop waiting for FFmpeg would take.
      WorkerResult result = worker.exit().get(3, TimeUnit.SECONDS);

      assertThat(result.exit()).isEqualTo(WorkerExit.STOPPED);
      assertThat(result.reason()).isEqualTo("stopped on request while not publishing");
      assertThat(Duration.ofNanos(System.nanoTime() - stop)).isLessThan(Duration.ofSeconds(3));
    });
  }

  @Test
  void aThreadWorkerThatCannotStopIsAbandonedOnKillSoItsStreamAndSlotAreFreed() throws Exception {
    withThreadWorkerOpeningASilentSource(worker -> {
      worker.kill(); // blocked in FFmpeg's open, which neither the stop signal nor an interrupt ends

      WorkerResult result = worker.exit().get(1, TimeUnit.SECONDS);

      assertThat(result.crashed()).isTrue();
      assertThat(result.reason()).contains("did not stop in time and was abandoned");
    });
  }

  @Test
  void hostileStreamIdIsRejectedBeforeAnythingRuns(@org.junit.jupiter.api.io.TempDir Path dir) {
    WorkerManagerTest.Launcher counting = new WorkerManagerTest.Launcher();
    WorkerManager manager = new WorkerManager(counting, LifecyclePolicy.defaults(), Clock.systemUTC());
    OrchestratorServer server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        manager, Clock.systemUTC(), app -> new StreamsApi(manager).register(app));
    int port = server.start();
    try {
      String base = "http://127.0.0.1:" + port;
      Http.Reply reply = Http.post(base + "/v1/mediamtx/events/ready", "application/json",
          "{\"path\":\"live/a;touch " + dir.resolve("x") + "/in\"}");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).contains("\"field\":\"path\"");
      assertThat(counting.launched).isEmpty();
      assertThat(Files.exists(dir.resolve("x"))).isFalse();

      assertThat(Http.post(base + "/v1/mediamtx/events/ready", "application/json", "{\"path\":\"live/cam9/in\"}").status())
          .isEqualTo(202);
      assertThat(Http.get(base + "/v1/streams").body()).contains("\"streamId\":\"cam9\"", "\"workerState\":\"starting\"");
      assertThat(Http.get(base + "/v1/streams/cam9").body()).contains("\"inputPath\":\"live/cam9/in\"");
      assertThat(Http.get(base + "/v1/streams/nope").status()).isEqualTo(404);
      assertThat(Http.get(base + "/v1/streams/a;b").status()).isEqualTo(400);
    } finally {
      server.stop();
      manager.close();
    }
  }
}
