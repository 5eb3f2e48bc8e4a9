package io.mtxtoolkit.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.core.path.MediaMtxEndpoints;
import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.orchestrator.OrchestratorServer;
import io.mtxtoolkit.orchestrator.config.OrchestratorConfig;
import io.mtxtoolkit.orchestrator.http.StreamsApi;
import io.mtxtoolkit.orchestrator.workers.LifecyclePolicy;
import io.mtxtoolkit.orchestrator.workers.ProcessLauncher;
import io.mtxtoolkit.orchestrator.workers.StreamView;
import io.mtxtoolkit.orchestrator.workers.WorkerManager;
import io.mtxtoolkit.testkit.mediamtx.MediaMtxServer;
import io.mtxtoolkit.testkit.stream.PlayReport;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPlayer;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import io.mtxtoolkit.worker.StreamWorker;
import io.mtxtoolkit.worker.WorkerConfig;
import io.mtxtoolkit.worker.WorkerExit;
import io.mtxtoolkit.worker.WorkerResult;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** User story 3 and the lifecycle on the real MediaMTX: worker in → out, the whole loop, loss, churn, five streams. */
@Tag("mediamtx")
class WorkerMediaMtxIT {
  @AutoClose
  private final Running running = new Running();

  private static MediaMtxEndpoints endpoints(MediaMtxServer m) {
    return new MediaMtxEndpoints("127.0.0.1", m.rtspPort(), m.rtmpPort());
  }

  private static Optional<ApiPath> readyPath(MediaMtxApiClient api, String name) {
    return api.listPaths().stream().filter(p -> p.name().equals(name) && p.ready()).findFirst();
  }

  /** A worker for live/test, stopped after the test however it ends (a second stop does nothing). */
  private StreamWorker worker(MediaMtxServer mediamtx) {
    StreamWorker worker = new StreamWorker(WorkerConfig.forStream(StreamId.of("test"), endpoints(mediamtx)), s -> { });
    AutoCloseable stop = worker::stop;
    running.keep(stop);
    return worker;
  }

  @Test
  void test_worker_passthrough_pipeline() throws Exception {
    MediaMtxServer mediamtx = running.keep(MediaMtxServer.builder().env("ORCHESTRATOR_URL", "http://127.0.0.1:9").start());
    MediaMtxApiClient api = new MediaMtxApiClient(mediamtx.apiBaseUrl());
    // the wall clock burned into each picture: a reader of /out measures publish -> /in -> worker -> /out
    running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl("live/test/in"), TestStreamOptions.defaults().withTimecode(true)));
    await("live/test/in ready").atMost(Duration.ofSeconds(10)).until(() -> readyPath(api, "live/test/in").isPresent());

    StreamWorker worker = worker(mediamtx);
    CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
    await("first packet").atMost(Duration.ofSeconds(10)).until(() -> worker.packets() > 0);
    long firstPacket = System.nanoTime();
    ApiPath out = await("live/test/out ready").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> readyPath(api, "live/test/out"), Optional::isPresent).orElseThrow();
    long outAfterMs = (System.nanoTime() - firstPacket) / 1_000_000;
    System.out.printf("SC-005: /out ready %d ms after the worker's first packet%n", outAfterMs);
    assertThat(outAfterMs).as("SC-005: /out within 1 s of the first packet").isLessThan(1000);
    assertThat(out.tracks()).containsExactlyInAnyOrder("H264", "MPEG-4 Audio");

    // A player on /in beside the worker, and one on /out: MediaMTX serves several readers of a path at once.
    CompletableFuture<PlayReport> beside = CompletableFuture.supplyAsync(() -> TestStreamPlayer.play(
        mediamtx.rtspUrl("live/test/in"), Duration.ofSeconds(3), Long.MAX_VALUE, Duration.ofSeconds(10), null));
    PlayReport downstream = TestStreamPlayer.play(mediamtx.rtspUrl("live/test/out"), Duration.ofSeconds(3), Long.MAX_VALUE,
        Duration.ofSeconds(10), null);
    PlayReport upstream = beside.get(30, TimeUnit.SECONDS);
    assertThat(upstream.videoFrames()).as("a player reads /in while the worker does").isPositive();
    assertThat(downstream.latencyMs()).as("the timecode came through the worker").isNotNull();
    System.out.printf("end-to-end latency publish -> /in -> worker -> /out: p50 %d ms, p95 %d ms, max %d ms"
        + " (publish -> /in: p50 %d ms)%n", downstream.latencyMs().p50(), downstream.latencyMs().p95(),
        downstream.latencyMs().max(), upstream.latencyMs() == null ? -1 : upstream.latencyMs().p50());

    try (FFmpegFrameGrabber reader = new FFmpegFrameGrabber(mediamtx.rtspUrl("live/test/out"))) {
      reader.setOption("rtsp_transport", "tcp");
      reader.setOption("timeout", "5000000");
      reader.start();
      assertThat(reader.getVideoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(reader.getAudioCodec()).isEqualTo(avcodec.AV_CODEC_ID_AAC);
      long last = Long.MIN_VALUE;
      int video = 0;
      for (Frame f; video < 50 && (f = reader.grabImage()) != null; video++) {
        assertThat(f.timestamp).as("video timestamps increase").isGreaterThan(last);
        last = f.timestamp;
      }
      assertThat(video).isEqualTo(50);
    }
    assertThat(api.getPath("live/test/in").orElseThrow().readers()).as("worker and player read /in and /out").isNotEmpty();
    worker.stop();
    assertThat(result.get(15, TimeUnit.SECONDS).exit()).isEqualTo(WorkerExit.STOPPED);
  }

  @Test
  void sourceDisconnectGivesThreeAttemptsThenACleanExit() throws Exception {
    MediaMtxServer mediamtx = running.keep(MediaMtxServer.builder().env("ORCHESTRATOR_URL", "http://127.0.0.1:9").start());
    // kept: closed however the test ends (a second close does nothing)
    TestStreamPublisher publisher = running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl("live/test/in"),
        TestStreamOptions.defaults()));
    StreamWorker worker = worker(mediamtx);
    CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
    await().atMost(Duration.ofSeconds(10)).until(() -> worker.packets() > 25);
    long lost = System.nanoTime();
    publisher.close();
    WorkerResult r = result.get(40, TimeUnit.SECONDS);
    long totalMs = (System.nanoTime() - lost) / 1_000_000;
    System.out.printf("source lost -> worker gave up after %d ms (detection + 1 s + 2 s + 4 s + attempts)%n", totalMs);
    assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    // 1 + 2 + 4 s of waits, plus detection (at most the 4 s stall timeout) and three quick refusals (404): a
    // 2/4/8 s schedule (14 s of waits) or a fourth attempt (15 s) lands above the bound
    assertThat(totalMs).as("1 s + 2 s + 4 s of waits, less the timers' own slack").isBetween(6_500L, 13_500L);
  }

  /** MediaMTX, the orchestrator's receiver and the worker lifecycle (child-process workers), wired to each other. */
  private record Pipeline(MediaMtxServer mediamtx, WorkerManager workers) {}

  private Pipeline pipeline(LifecyclePolicy policy) {
    // MediaMTX needs the receiver's URL and the workers need MediaMTX's ports: receiver first, then
    // MediaMTX, then the lifecycle, which the receiver reaches through the holder.
    WorkerManager[] holder = new WorkerManager[1];
    OrchestratorServer server = new OrchestratorServer(OrchestratorConfig.defaults().withHost("127.0.0.1").withPort(0),
        e -> holder[0].onEvent(e), Clock.systemUTC(), app -> app.get(StreamsApi.STREAMS_PATH,
            ctx -> ctx.json(new StreamsApi(holder[0]).snapshot())));
    int port = server.start();
    AutoCloseable stopServer = server::stop;
    running.keep(stopServer);
    MediaMtxServer mediamtx = running.keep(MediaMtxServer.builder().env("ORCHESTRATOR_URL", "http://127.0.0.1:" + port)
        .prependPath(Launchers.HOOK_BIN).start());
    holder[0] = running.keep(new WorkerManager(new ProcessLauncher(endpoints(mediamtx), List.of(), System.out), policy,
        Clock.systemUTC()));
    return new Pipeline(mediamtx, holder[0]);
  }

  @Test
  void wholeLoopPublishHookWorkerOutThenGraceStop() {
    // 1 s: the planned stop (not-ready hook + grace) comes well before the worker would give up on its own (7 s)
    Pipeline pipeline = pipeline(LifecyclePolicy.defaults().withGracePeriod(Duration.ofSeconds(1)));
    MediaMtxServer mediamtx = pipeline.mediamtx();
    WorkerManager[] manager = {pipeline.workers()};
    MediaMtxApiClient api = new MediaMtxApiClient(mediamtx.apiBaseUrl());

    // kept: closed however the test ends (a second close does nothing)
    TestStreamPublisher publisher = running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl("live/loop/in"),
        TestStreamOptions.defaults()));
    await("publish -> hook -> worker -> /out").atMost(Duration.ofSeconds(40)).until(() -> readyPath(api, "live/loop/out").isPresent());
    publisher.close();
    await("grace period -> worker gone -> /out gone").atMost(Duration.ofSeconds(20))
        .until(() -> readyPath(api, "live/loop/out").isEmpty() && manager[0].liveWorkers() == 0);
    assertThat(manager[0].stream(StreamId.of("loop")).orElseThrow().lastExitCode()).isZero();
  }

  @Test
  void churnWithinTheGracePeriodKeepsOnePublisherOnOut() {
    Pipeline pipeline = pipeline(LifecyclePolicy.defaults().withGracePeriod(Duration.ofSeconds(10)));
    MediaMtxServer mediamtx = pipeline.mediamtx();
    WorkerManager[] manager = {pipeline.workers()};
    MediaMtxApiClient api = new MediaMtxApiClient(mediamtx.apiBaseUrl());
    StreamId churn = StreamId.of("churn");
    String firstWorker = null;
    for (int cycle = 0; cycle < 10; cycle++) {
      TestStreamPublisher p = running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl("live/churn/in"), TestStreamOptions.defaults()));
      await("cycle " + cycle + ": live/churn/in ready").atMost(Duration.ofSeconds(10))
          .until(() -> readyPath(api, "live/churn/in").isPresent());
      // Each cycle lasts until the worker publishes again: its reconnect resumes (a delivered session starts its
      // attempts afresh, so ten cycles never add up to the three that end it), and MediaMTX lets the ready hook
      // finish (it interrupts one still starting when the publisher leaves). Two JVM starts and an RTSP open.
      await("cycle " + cycle + ": the worker publishes live/churn/out").atMost(Duration.ofSeconds(40))
          .until(() -> readyPath(api, "live/churn/out").isPresent());
      if (cycle == 0) {
        firstWorker = manager[0].stream(churn).orElseThrow().worker();
        assertThat(firstWorker).as("the first cycle's worker").isNotNull();
      }
      if (cycle == 9) {
        break; // the last publisher stays, so the stream ends ready
      }
      p.close();
      await("cycle " + cycle + ": /out gone with its source").atMost(Duration.ofSeconds(10))
          .until(() -> readyPath(api, "live/churn/out").isEmpty());
    }
    // A worker stopped or replaced at any point would show as another handle or a restart. Checked once the last
    // cycle's hooks have had time to arrive, while its publisher is still on.
    String kept = firstWorker;
    // MediaMTX lets a new publisher kick the old one, so two never show at once: a second worker would show as the
    // publisher's connection changing (/v3/rtmpconns/list), which must not happen while the stream is steady.
    java.util.function.Supplier<java.util.List<String>> outPublishers = () -> api.listRtmpConns().stream()
        .filter(c -> "live/churn/out".equals(c.path()) && "publish".equals(c.state())).map(c -> c.id()).toList();
    java.util.List<String> publisher = await("one publisher on live/churn/out").atMost(Duration.ofSeconds(10))
        .until(outPublishers::get, ids -> ids.size() == 1);
    await("the first cycle's worker still serves live/churn/out, never restarted, as the same RTMP publisher")
        .during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> {
          StreamView stream = manager[0].stream(churn).orElseThrow();
          return kept.equals(stream.worker()) && stream.restarts() == 0 && manager[0].liveWorkers() == 1
              && readyPath(api, "live/churn/out").isPresent() && outPublishers.get().equals(publisher);
        });
  }

  @Test
  void fiveStreamsEachWithItsOwnWorker() {
    Pipeline pipeline = pipeline(LifecyclePolicy.defaults());
    MediaMtxServer mediamtx = pipeline.mediamtx();
    WorkerManager[] manager = {pipeline.workers()};
    MediaMtxApiClient api = new MediaMtxApiClient(mediamtx.apiBaseUrl());
    for (int i = 1; i <= 5; i++) {
      running.keep(TestStreamPublisher.start(mediamtx.rtmpUrl("live/s" + i + "/in"), TestStreamOptions.defaults()));
    }
    await("five /out paths").atMost(Duration.ofSeconds(60)).until(() ->
        api.listPaths().stream().filter(p -> p.ready() && p.name().endsWith("/out")).count() == 5);
    assertThat(manager[0].liveWorkers()).isEqualTo(5);
  }
}
