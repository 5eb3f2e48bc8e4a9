package io.mtxtoolkit.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.path.StreamId;
import io.mtxtoolkit.core.retry.ReconnectPolicy;
import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import io.mtxtoolkit.testkit.stream.MultiTrack;
import io.mtxtoolkit.testkit.stream.RtmpSink;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;

/**
 * The worker between two real FFmpeg endpoints (an RTMP source served by the test kit and an RTMP
 * sink), so its remux, loss detection and reconnect policy run for real without a media server.
 * The reconnect schedule is scaled down (100/200/400 ms); the spec's 1/2/4 s is the same code.
 */
class StreamWorkerTest {
  private static final ReconnectPolicy FAST = ReconnectPolicy.exponential(Duration.ofMillis(100), 3);

  private record Timed(WorkerState state, long atNanos) {}

  private final List<Timed> states = Collections.synchronizedList(new ArrayList<>());

  private StreamWorker worker(String in, String out, WorkerConfig.Mode mode, Duration stall) {
    return worker(in, out, mode, stall, null);
  }

  private StreamWorker worker(String in, String out, WorkerConfig.Mode mode, Duration stall, String sourceId) {
    WorkerConfig config = new WorkerConfig(StreamId.of("test"), in, out, mode, null, stall, FAST);
    return new StreamWorker(config, sourceId, s -> states.add(new Timed(s, System.nanoTime())));
  }

  private static String rtmp(String path) {
    return "rtmp://127.0.0.1:" + FreePorts.tcp() + "/" + path;
  }

  /** A worker running between a served test source and an RTMP sink, all on fresh ports. */
  private final class Rig implements AutoCloseable {
    final String in = rtmp("live/test/in");
    final String out = rtmp("live/test/out");
    final RtmpSink sink;
    final StreamWorker worker;
    final CompletableFuture<WorkerResult> result;
    final TestStreamPublisher source;

    Rig(WorkerConfig.Mode mode, Duration stall) {
      sink = RtmpSink.listen(out, Duration.ofSeconds(30));
      worker = worker(in, out, mode, stall);
      result = CompletableFuture.supplyAsync(worker::run);
      source = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20));
    }

    @Override
    public void close() {
      source.close();
      sink.close();
    }
  }

  @Test
  void test_worker_passthrough_pipeline_remuxesH264AndAacWithIncreasingTimestamps() throws Exception {
    try (Rig rig = new Rig(WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(2))) {
      rig.sink.awaitPackets(100, Duration.ofSeconds(20));
      assertThat(rig.worker.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(rig.sink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(rig.sink.audioCodec()).isEqualTo(avcodec.AV_CODEC_ID_AAC);
      assertThat(rig.sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO)).hasSizeGreaterThan(20).isSorted();
      assertThat(rig.sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO)).hasSizeGreaterThan(20).isSorted();
      assertThat(rig.worker.stopBeforePublishing()).as("a publishing worker must close its output first").isFalse();
      assertThat(rig.worker.state()).isEqualTo(WorkerState.RUNNING);
      rig.worker.stop();
      WorkerResult r = rig.result.get(15, TimeUnit.SECONDS);
      assertThat(r.exit()).isEqualTo(WorkerExit.STOPPED);
      assertThat(rig.worker.packets()).isGreaterThanOrEqualTo(100);
    }
    assertThat(states).extracting(Timed::state).contains(WorkerState.RUNNING, WorkerState.STOPPING)
        .last().isEqualTo(WorkerState.STOPPED);
  }

  @Test
  void packetTimestampsBecomeMicrosecondsFromTheirTimeBase() {
    assertThat(StreamWorker.micros(90_000, 1, 90_000)).as("RTP video clock").isEqualTo(1_000_000);
    assertThat(StreamWorker.micros(1_500, 1, 1000)).as("FLV milliseconds").isEqualTo(1_500_000);
    assertThat(StreamWorker.micros(30, 1001, 30_000)).isEqualTo(1_001_000);
    assertThat(StreamWorker.micros(avutil.AV_NOPTS_VALUE, 1, 1000)).isEqualTo(avutil.AV_NOPTS_VALUE);
    assertThat(StreamWorker.micros(5, 1, 0)).as("no time base").isEqualTo(avutil.AV_NOPTS_VALUE);
  }

  /** /out's lag behind a live /in: small while the worker keeps pace, growing with the wall clock once it stalls. */
  @Test
  void theOutputsLagIsSmallWhileKeepingPaceAndGrowsWhenTheSourceStalls() throws Exception {
    try (Rig rig = new Rig(WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(6))) {
      assertThat(rig.worker.outputLagMillis()).as("nothing published yet").isEmpty();
      rig.sink.awaitPackets(100, Duration.ofSeconds(20));
      assertThat(rig.worker.outputLagMillis()).as("a worker keeping pace with a live source").isPresent();
      assertThat(rig.worker.outputLagMillis().getAsLong()).isLessThan(2000);
      // --progress-ms: the line the orchestrator reads the lag from
      ch.qos.logback.classic.Logger progress =
          (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WorkerEvents.PROGRESS_LOGGER);
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
      seen.start();
      progress.addAppender(seen);
      java.util.concurrent.ScheduledExecutorService timer = WorkerMain.reportProgress(rig.worker, 50);
      try {
        await("a worker-progress line").atMost(Duration.ofSeconds(5)).until(() -> !seen.list.isEmpty());
      } finally {
        timer.shutdownNow();
        progress.detachAppender(seen);
      }
      assertThat(java.util.Arrays.toString(seen.list.get(0).getArgumentArray()))
          .contains("event=" + WorkerEvents.PROGRESS, "packets=", "lagMs=");
      rig.source.pause(true); // connected, sending nothing: before the 6 s stall timeout the session goes on
      await("the lag grows while nothing arrives").atMost(Duration.ofSeconds(5))
          .until(() -> rig.worker.outputLagMillis().orElse(0) >= 2500);
      rig.worker.stop();
    }
  }

  @Test
  void aWorkerOpensAndClosesItsMediaWithoutJavacvsProcessWideLock() throws Exception {
    StreamWorker.loadNatives();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Another in-process worker stuck inside javacv's lock (a stalled peer during its open or close).
    Thread other = new Thread(() -> {
      synchronized (org.bytedeco.ffmpeg.global.avcodec.class) {
        held.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "holds-avcodec-lock");
    other.start();
    assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
    Rig rig = new Rig(WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(2));
    try {
      rig.sink.awaitPackets(50, Duration.ofSeconds(15));
      rig.worker.stop();
      assertThat(rig.result.get(10, TimeUnit.SECONDS).exit()).as("stopped, output and input closed, while the lock is held")
          .isEqualTo(WorkerExit.STOPPED);
    } finally {
      release.countDown(); // the test source and sink close through javacv's locked paths
      other.join(10_000);
      rig.close();
    }
  }

  @Test
  void sourceLossIsDetectedThenThreeSpacedAttemptsThenACleanExit() throws Exception {
    try (Rig rig = new Rig(WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(2))) {
      rig.sink.awaitPackets(50, Duration.ofSeconds(20));
      long lost = System.nanoTime();
      rig.source.close();
      WorkerResult r = rig.result.get(20, TimeUnit.SECONDS);
      assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
      assertThat(r.reason()).contains("3 reconnect attempts failed").contains("cannot read " + rig.in);
      List<Long> reconnecting = states.stream().filter(t -> t.state() == WorkerState.RECONNECTING && t.atNanos() > lost)
          .map(Timed::atNanos).toList();
      assertThat(reconnecting).as("reconnect attempts after the loss").hasSize(3);
      assertThat(Duration.ofNanos(reconnecting.get(0) - lost)).as("loss detected within the stall timeout")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(states).extracting(Timed::state).last().isEqualTo(WorkerState.FAILED);
    }
  }

  @Test
  void aReconnectThatSucceedsResumesPublishingToTheSameOut() throws Exception {
    String in = rtmp("live/test/in");
    String out = rtmp("live/test/out");
    int inPort = java.net.URI.create(in).getPort();
    // Spec spacing (1 s, 2 s, 4 s) leaves time to bring the source and the reader of /out back before attempt 1.
    WorkerConfig config = new WorkerConfig(StreamId.of("test"), in, out, WorkerConfig.Mode.PASSTHROUGH, null,
        Duration.ofSeconds(2), ReconnectPolicy.spec());
    StreamWorker worker = new StreamWorker(config, s -> states.add(new Timed(s, System.nanoTime())));
    long lost;
    try (RtmpSink firstSink = RtmpSink.listen(out, Duration.ofSeconds(30))) {
      CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
      try (TestStreamPublisher firstSource = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20))) {
        firstSink.awaitPackets(50, Duration.ofSeconds(20));
        lost = System.nanoTime();
      }
      await("the worker notices the source is gone").atMost(Duration.ofSeconds(5))
          .until(() -> worker.state() == WorkerState.RECONNECTING);
      // FFmpeg's listeners serve one connection each: the same ports listen again for the next session.
      try (RtmpSink secondSink = RtmpSink.listen(out, Duration.ofSeconds(30))) {
        CompletableFuture<TestStreamPublisher> secondSource = CompletableFuture.supplyAsync(
            () -> TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20)));
        FreePorts.awaitListening(inPort, Duration.ofSeconds(5));
        try (TestStreamPublisher resumed = secondSource.get(20, TimeUnit.SECONDS)) {
          secondSink.awaitPackets(50, Duration.ofSeconds(20));
          assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
          assertThat(secondSink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
          worker.stop();
          assertThat(result.get(15, TimeUnit.SECONDS).exit()).as("stopped, not lost").isEqualTo(WorkerExit.STOPPED);
        }
      }
    }
    assertThat(states.stream().filter(t -> t.state() == WorkerState.RECONNECTING && t.atNanos() > lost))
        .as("one reconnect after the loss was enough").hasSize(1);
  }

  @Test
  void stalledSourceCountsAsLostWithinTheStallTimeout() throws Exception {
    try (Rig rig = new Rig(WorkerConfig.Mode.PASSTHROUGH, Duration.ofMillis(1500))) {
      rig.sink.awaitPackets(50, Duration.ofSeconds(20));
      long stalled = System.nanoTime();
      rig.source.pause(true);
      await("worker notices the stall").atMost(Duration.ofSeconds(5))
          .until(() -> rig.worker.state() == WorkerState.RECONNECTING);
      assertThat(Duration.ofNanos(System.nanoTime() - stalled)).isLessThan(Duration.ofSeconds(5));
      rig.worker.stop();
      assertThat(rig.result.get(15, TimeUnit.SECONDS).exit()).isEqualTo(WorkerExit.STOPPED);
    }
  }

  @Test
  void missingPathGetsTheSamePolicy() throws Exception {
    StreamWorker worker = worker(rtmp("live/none/in"), rtmp("live/none/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1));
    long start = System.nanoTime();
    WorkerResult r = worker.run();
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(r.reason()).startsWith("source lost: 3 reconnect attempts failed; last cause: cannot read rtmp://");
    worker.stop();
    assertThat(worker.stopBeforePublishing()).isTrue();
    assertThat(worker.state()).as("a late stop keeps the verdict").isEqualTo(WorkerState.FAILED);
    assertThat(elapsedMs).as("waited 100 + 200 + 400 ms between attempts").isGreaterThanOrEqualTo(700);
    List<Long> at = states.stream().filter(t -> t.state() == WorkerState.RECONNECTING).map(Timed::atNanos).toList();
    assertThat(at).hasSize(3);
    // Each gap is the previous delay plus one failed connect; the delays double.
    long gap1 = (at.get(1) - at.get(0)) / 1_000_000;
    long gap2 = (at.get(2) - at.get(1)) / 1_000_000;
    assertThat(gap1).isBetween(100L, 2_000L);
    assertThat(gap2).isBetween(200L, 2_500L);
  }

  @Test
  void ffmpegsOwnErrorsAreLogLinesWithTheWorkersCorrelationFields() {
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> ffmpeg = new ch.qos.logback.core.read.ListAppender<>();
    ffmpeg.start();
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ffmpeg");
    logger.addAppender(ffmpeg);
    try {
      StreamWorker worker = new StreamWorker(new WorkerConfig(StreamId.of("logged"), rtmp("live/logged/in"), rtmp("live/logged/out"),
          WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(1), ReconnectPolicy.exponential(Duration.ofMillis(10), 1)), "conn-7",
          s -> { });
      assertThat(worker.run().exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    } finally {
      logger.detachAppender(ffmpeg);
    }
    assertThat(ffmpeg.list).as("FFmpeg reports the refused connection").isNotEmpty().allSatisfy(line -> {
      assertThat(line.getLevel()).as("while the source opens: the worker's own lines tell the outcome")
          .isEqualTo(ch.qos.logback.classic.Level.WARN);
      assertThat(line.getMDCPropertyMap()).containsEntry("streamId", "logged").containsEntry("path", "live/logged/in")
          .containsEntry("sourceId", "conn-7").containsEntry(FfmpegLog.PURPOSE, FfmpegLog.CONNECTING);
    });
    assertThat(ffmpeg.list).anySatisfy(line -> assertThat(line.getFormattedMessage()).containsIgnoringCase("connection refused"));
  }

  @Test
  void aWorkerNotYetPublishingCanStopAtOnce() throws Exception {
    StreamWorker worker = worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1));

    var lines = linesOf(() -> {
      assertThat(worker.stopBeforePublishing()).isTrue();
      assertThat(worker.state()).isEqualTo(WorkerState.STOPPING);
      assertThat(worker.run().exit()).as("run() after the stop").isEqualTo(WorkerExit.STOPPED);
    });
    assertThat(withEvent(lines, "worker-stopped")).as("said once, not again when run() ends").hasSize(1);
  }

  @Test
  void stopDuringTheReconnectWaitEndsAtOnce() throws Exception {
    // A first wait long enough that only the stop can end it within the bound below.
    WorkerConfig config = new WorkerConfig(StreamId.of("t"), rtmp("live/t/in"), rtmp("live/t/out"),
        WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(1), new ReconnectPolicy(List.of(Duration.ofSeconds(10))));
    StreamWorker worker = new StreamWorker(config, s -> states.add(new Timed(s, System.nanoTime())));
    CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
    await().atMost(Duration.ofSeconds(5)).until(() -> worker.state() == WorkerState.RECONNECTING);
    worker.stop();
    await("the stop ends the 10 s reconnect wait").atMost(Duration.ofSeconds(3)).until(result::isDone);
    assertThat(result.get().exit()).isEqualTo(WorkerExit.STOPPED);
  }

  @Test
  void transcodeModeRunsTheLabelStepAndEncodesH264AndAac() throws Exception {
    try (Rig rig = new Rig(WorkerConfig.Mode.TRANSCODE, Duration.ofSeconds(2))) {
      rig.sink.awaitPackets(60, Duration.ofSeconds(30));
      assertThat(rig.sink.videoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(rig.sink.audioCodec()).isEqualTo(avcodec.AV_CODEC_ID_AAC);
      java.util.List<Long> video = rig.sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO);
      java.util.List<Long> audio = rig.sink.timestamps(org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO);
      assertThat(video).isSorted();
      assertThat(Math.abs(video.get(0) - audio.get(0))).as("audio and video start together (µs)").isLessThan(500_000L);
      rig.worker.stop();
      assertThat(rig.result.get(15, TimeUnit.SECONDS).exit()).isEqualTo(WorkerExit.STOPPED);
    }
  }

  /**
   * A reader joins a live path between keyframes: audio decodes at once, video only from the next keyframe.
   * The source here is a file that starts that way (audio from 0 s, video from the keyframe at 1 s); /out
   * must not carry the second of audio that has no picture, or the audio leads for the whole session.
   */
  @Test
  void transcodeStartsAudioWithTheFirstPictureWhenTheSourceStartsBetweenKeyframes(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path clip = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("clip.flv"), 0, 75, true);
    // The same packets, but the video before the second keyframe (1 s) left out.
    java.nio.file.Path midGop = dir.resolve("mid-gop.flv");
    try (org.bytedeco.javacv.FFmpegFrameGrabber in = new org.bytedeco.javacv.FFmpegFrameGrabber(clip.toString())) {
      in.start();
      org.bytedeco.javacv.FFmpegFrameRecorder out = new org.bytedeco.javacv.FFmpegFrameRecorder(midGop.toString(), 320, 240, 1);
      out.setFormat("flv");
      out.start(in.getFormatContext());
      org.bytedeco.ffmpeg.avcodec.AVPacket p;
      while ((p = in.grabPacket()) != null) {
        boolean video = in.getFormatContext().streams(p.stream_index()).codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO;
        long millis = avutil.av_rescale_q(p.dts(), in.getFormatContext().streams(p.stream_index()).time_base(),
            avutil.av_make_q(1, 1000));
        if (video && millis < 1000) {
          avcodec.av_packet_unref(p);
          continue;
        }
        out.recordPacket(p);
      }
      out.close();
    }

    RtmpSink sink = runToEnd(midGop, WorkerConfig.Mode.TRANSCODE);
    List<Long> video = sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO);
    List<Long> audio = sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO);
    assertThat(video).as("two seconds of pictures").hasSizeGreaterThan(40);
    assertThat(Math.abs(audio.get(audio.size() - 1) - video.get(video.size() - 1)))
        .as("audio ends with the video (µs): no second of audio from before the first picture").isLessThan(300_000L);
  }

  private StreamWorker failingStepWorker(String in, String out) {
    WorkerConfig config = new WorkerConfig(StreamId.of("test"), in, out, WorkerConfig.Mode.TRANSCODE, "failing",
        Duration.ofSeconds(2), FAST);
    return new StreamWorker(config, s -> states.add(new Timed(s, System.nanoTime())));
  }

  @Test
  void aStepFailingWithAnErrorEndsTheWorkerWithExit5AndClosesIt() throws Exception {
    String in = rtmp("live/test/in");
    String out = rtmp("live/test/out");
    int closedBefore = FailingStep.CLOSED.get();
    try (RtmpSink sink = RtmpSink.listen(out, Duration.ofSeconds(30))) {
      StreamWorker worker = failingStepWorker(in, out);
      CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
      try (TestStreamPublisher source = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20))) {
        WorkerResult r = result.get(30, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.reason()).isEqualTo(WorkerExit.MEDIA_ERROR);
        assertThat(r.reason()).contains("NoClassDefFoundError", "MissingLibrary");
      }
    }
    assertThat(FailingStep.CLOSED.get() - closedBefore).as("the step was closed").isEqualTo(1);
  }

  @Test
  void theStepIsClosedWhenOutRefusesThePublish() throws Exception {
    String in = rtmp("live/test/in");
    String refusing = rtmp("live/test/out"); // nothing listens there
    int closedBefore = FailingStep.CLOSED.get();
    StreamWorker worker = failingStepWorker(in, refusing);
    CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
    try (TestStreamPublisher source = TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20))) {
      await("the refused attempt closed its step").atMost(Duration.ofSeconds(20))
          .until(() -> FailingStep.CLOSED.get() - closedBefore >= 1);
    }
    worker.stop();
    result.get(30, TimeUnit.SECONDS);
    assertThat(FailingStep.CLOSED.get() - closedBefore).as("opened once, closed once").isEqualTo(1);
  }

  @Test
  void outRefusingEveryAttemptIsOutputLostNotSourceLost() throws Exception {
    String in = rtmp("live/test/in");
    String refusing = rtmp("live/test/out"); // nothing listens there
    // Waits of 0.5, 1 and 2 s: time to serve the source again for each attempt, so only /out fails.
    WorkerConfig config = new WorkerConfig(StreamId.of("test"), in, refusing, WorkerConfig.Mode.PASSTHROUGH, null,
        Duration.ofSeconds(2), ReconnectPolicy.exponential(Duration.ofMillis(500), 3));
    StreamWorker worker = new StreamWorker(config, s -> states.add(new Timed(s, System.nanoTime())));
    CompletableFuture<WorkerResult> result = new CompletableFuture<>();
    for (int attempt = 0; attempt <= 3; attempt++) {
      int ended = attempt + 1;
      CompletableFuture<TestStreamPublisher> serving = CompletableFuture.supplyAsync(
          () -> TestStreamPublisher.serve(in, TestStreamOptions.defaults(), Duration.ofSeconds(20)));
      FreePorts.awaitListening(java.net.URI.create(in).getPort(), Duration.ofSeconds(5));
      if (attempt == 0) {
        CompletableFuture.runAsync(() -> result.complete(worker.run())); // once the source listens: only /out fails
      }
      try (TestStreamPublisher source = serving.get(20, TimeUnit.SECONDS)) {
        await("attempt " + ended + " refused by /out").atMost(Duration.ofSeconds(20))
            .until(() -> result.isDone() || states.stream().filter(t -> t.state() == WorkerState.RECONNECTING).count() >= ended);
      }
    }
    WorkerResult r = result.get(20, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.reason()).isEqualTo(WorkerExit.OUTPUT_LOST);
    assertThat(r.exit().code()).isEqualTo(6);
    assertThat(r.reason()).startsWith("output lost: 3 reconnect attempts failed; last cause: cannot publish to " + refusing);
  }

  @Test
  void aReadAfterTheFirstThatTookTheStallTimeoutEndsTheSessionAfterItsItem() {
    StreamWorker worker = worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.TRANSCODE, Duration.ofMillis(300));
    java.util.Iterator<String> source = List.of("a", "b", "c", "d").iterator();
    List<String> published = new java.util.ArrayList<>();
    int[] reads = {0};

    StreamWorker.Ending end = worker.forward(() -> {
      if (++reads[0] == 1 || reads[0] == 3) {
        // as javacv's grab() after a failed read of a silent RTSP source: a buffered picture, a timeout later
        long until = System.nanoTime() + Duration.ofMillis(350).toNanos();
        while (System.nanoTime() < until) {
          java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
        }
      }
      return source.next();
    }, published::add);

    assertThat(published).as("a first read may take long (the first decodable picture); a later one that took the "
        + "stall timeout is published, then the session ends").containsExactly("a", "b", "c");
    assertThat(end.cause()).isEqualTo("source stalled (no data for 300 ms)");
    assertThat(end.outputSide()).isFalse();
  }

  /** An empty read that waited out the stall timeout is a stall; one that came back at once, the source's end. */
  @Test
  void anEmptyReadSaysWhetherTheSourceStalledOrEnded() {
    StreamWorker worker = worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofMillis(200));
    StreamWorker.Ending stalled = worker.forward(() -> {
      long until = System.nanoTime() + Duration.ofMillis(220).toNanos();
      while (System.nanoTime() < until) {
        java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
      }
      return null; // as FFmpeg's read of a silent source, at its timeout
    }, item -> { });
    assertThat(stalled.cause()).isEqualTo("source stalled (no data for 200 ms)");
    assertThat(worker.forward(() -> null, item -> { }).cause()).isEqualTo("source ended (its connection closed)");
  }

  @Test
  void readsBeforeTheSessionIsPrimedAreSparedTheStallRule() {
    StreamWorker worker = worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.TRANSCODE, Duration.ofMillis(200));
    java.util.Iterator<String> source = List.of("audio", "picture", "audio2", "picture2").iterator();
    List<String> published = new java.util.ArrayList<>();

    StreamWorker.Ending end = worker.forward(() -> {
      String next = source.hasNext() ? source.next() : null;
      if ("picture".equals(next)) { // the first decodable picture, a keyframe interval after an early audio frame
        long until = System.nanoTime() + Duration.ofMillis(250).toNanos();
        while (System.nanoTime() < until) {
          java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
        }
      }
      return next;
    }, published::add, () -> published.contains("picture"));

    assertThat(published).containsExactly("audio", "picture", "audio2", "picture2");
    assertThat(end.cause()).as("ended by the source's end, not by the long wait for its first picture")
        .isEqualTo("source ended (its connection closed)");
  }

  @Test
  void onlyFailuresOfOutItselfCountAsTheOutputSide() {
    for (String m : new String[] {"avio_open2 error() error -111: Could not open 'rtmp://h/live/a/out'",
        "avformat_write_header error() error -32: Could not write header to 'rtmp://h/live/a/out'",
        "av_interleaved_write_frame() error -32 while writing interleaved video packet.",
        "av_write_frame() error -104 while writing audio packet."}) {
      assertThat(StreamWorker.onOutput(new org.bytedeco.javacv.FFmpegFrameRecorder.Exception(m))).as(m).isTrue();
    }
    for (String m : new String[] {"avcodec_open2() error -22: Could not open video codec.",
        "avcodec_find_encoder() error: Video codec not found.", "avcodec_send_frame() error -22: Error sending a video frame for encoding.",
        "swr_convert() error -22: Cannot convert audio samples.", null,
        "av_interleaved_write_frame() error -22 while writing interleaved audio packet.",
        "av_write_frame() error -1094995529 while writing video packet."}) {
      assertThat(StreamWorker.onOutput(new org.bytedeco.javacv.FFmpegFrameRecorder.Exception(m))).as(m).isFalse();
    }
  }

  @Test
  void unknownStepIsAnErrorListingTheAvailableOnes() {
    int closedBefore = FailingStep.CLOSED.get();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StreamWorker.processor("sepia"))
        .hasMessageContaining("unknown processing step 'sepia'").hasMessageContaining("label").hasMessageContaining("failing");
    assertThat(FailingStep.CLOSED.get() - closedBefore).as("a step made only to be asked its name is closed").isEqualTo(1);
    assertThat(StreamWorker.processor("label").name()).isEqualTo("label");
  }

  /**
   * A source with two video tracks of different sizes (an RTSP publisher may send that): /out carries the first
   * video track, as the grabber reads it, under that track's own codec parameters, and plays.
   */
  @Test
  void passthroughOfASourceWithTwoVideoTracksPublishesTheFirstUnderItsOwnParameters(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path big = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("big.flv"), 0, 75, true);
    java.nio.file.Path small = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("small.flv"), 0, 75, false,
        160, 120);
    java.nio.file.Path both = MultiTrack.mux(dir.resolve("both.mkv"), big, small);

    RtmpSink sink = runToEnd(both, WorkerConfig.Mode.PASSTHROUGH);
    assertThat(sink.error()).isNull();
    assertThat(sink.videoSize()).as("the first video track's parameters").isEqualTo("320x240");
    assertThat(sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO)).as("one track's 75 pictures, not both tracks'")
        .hasSize(75).isSorted();
    assertThat(sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO)).hasSizeGreaterThan(100);
  }

  @Test
  void aStopIsAllowedTheStallTimeoutAndTheCloseAndAtLeastTenSeconds() {
    assertThat(worker("rtmp://127.0.0.1:1/a", "rtmp://127.0.0.1:1/b", WorkerConfig.Mode.PASSTHROUGH,
        Duration.ofSeconds(4)).stopWithin()).isEqualTo(Duration.ofSeconds(10));
    assertThat(worker("rtmp://127.0.0.1:1/a", "rtmp://127.0.0.1:1/b", WorkerConfig.Mode.PASSTHROUGH,
        Duration.ofSeconds(30)).stopWithin()).as("a read on a silent source returns only at the stall timeout")
        .isEqualTo(Duration.ofSeconds(35));
  }

  /**
   * A source with a 2 s gap in both tracks: the encoder counts audio samples while pictures keep their time, so
   * without silence in the gap the audio would end 2 s before the pictures and lag them for the session.
   */
  @Test
  void transcodeKeepsAudioWithThePicturesAcrossAGapInTheSource(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path before = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("a.flv"), 0, 50, true);
    java.nio.file.Path after = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("b.flv"), 0, 50, true);
    java.nio.file.Path gap = MultiTrack.concat(dir.resolve("gap.flv"), 4_000_000, before, after);

    RtmpSink sink = runToEnd(gap, WorkerConfig.Mode.TRANSCODE);
    List<Long> video = sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO);
    List<Long> audio = sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO);
    assertThat(video.get(video.size() - 1)).as("the pictures keep the gap (µs)").isGreaterThan(5_500_000L);
    assertThat(Math.abs(audio.get(audio.size() - 1) - video.get(video.size() - 1)))
        .as("audio ends with the pictures (µs), the gap filled with silence").isLessThan(300_000L);
    assertThat(audio).isSorted();
  }

  /**
   * A source whose audio comes 2 s after its pictures, transcoded: silence keeps /out's audio track up from the first
   * picture. Before, the muxer wrote a second of pictures alone and then refused the audio encoder's first packet,
   * older than them, so every session ended in "publish failed" and the worker reconnected for ever.
   */
  @Test
  void transcodeOfASourceWhoseAudioComesLateKeepsBothTracksFromTheStart(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path clip = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("clip.flv"), 0, 75, true);
    java.nio.file.Path late = MultiTrack.audioFrom(dir.resolve("late.flv"), 2_000_000, clip);

    var lines = linesOf(() -> {
      RtmpSink sink = runToEnd(late, WorkerConfig.Mode.TRANSCODE);
      List<Long> video = sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO);
      List<Long> audio = sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO);
      assertThat(video).as("the whole clip's pictures").hasSizeGreaterThan(60);
      assertThat(audio).as("audio from the first picture on (µs)").isNotEmpty().isSorted();
      assertThat(audio.get(0)).isLessThan(100_000L);
      assertThat(Math.abs(audio.get(audio.size() - 1) - video.get(video.size() - 1))).as("audio ends with the pictures (µs)")
          .isLessThan(300_000L);
    });
    assertThat(withEvent(lines, "worker-reconnect")).extracting(e -> java.util.Arrays.toString(e.getArgumentArray()))
        .as("the session ran to the clip's end").noneMatch(cause -> cause.contains("publish failed"));
  }

  /**
   * A source whose clock starts again at 0 after 2 s, and one whose clock leaps 2 minutes ahead: in both modes /out's
   * time goes on as the source's content does, with the audio beside the pictures. Before, a jump back crammed every
   * later packet one tick after the last (passthrough) or dropped every picture (transcode), and a jump ahead froze
   * /out's players for two minutes.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"PASSTHROUGH, true", "PASSTHROUGH, false", "TRANSCODE, true", "TRANSCODE, false"})
  void aJumpOfTheSourcesClockIsBridged(WorkerConfig.Mode mode, boolean back, @org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path first = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("a.flv"), 0, 50, true);
    java.nio.file.Path second = io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("b.flv"), 0, 50, true);
    java.nio.file.Path jump = back
        ? io.mtxtoolkit.testkit.stream.MultiTrack.restartClock(dir.resolve("back.flv"), first, second)
        : io.mtxtoolkit.testkit.stream.MultiTrack.concat(dir.resolve("ahead.flv"), 120_000_000, first, second);

    var lines = io.mtxtoolkit.testkit.logging.CapturedLines.during(StreamWorker.class.getName(), () -> {
      RtmpSink sink = runToEnd(jump, mode);
      List<Long> video = sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO);
      List<Long> audio = sink.timestamps(avutil.AVMEDIA_TYPE_AUDIO);
      assertThat(video).as("pictures of both halves").hasSizeGreaterThan(90).isSorted();
      assertThat(video.get(video.size() - 1)).as("/out's last picture (µs): 4 s of content, no jump")
          .isBetween(3_500_000L, 4_500_000L);
      for (int i = 1; i < video.size(); i++) {
        assertThat(video.get(i) - video.get(i - 1)).as("picture %d's step (µs)", i).isLessThan(200_000L);
      }
      assertThat(audio).isSorted();
      assertThat(Math.abs(audio.get(audio.size() - 1) - video.get(video.size() - 1)))
          .as("audio ends with the pictures (µs)").isLessThan(300_000L);
    });
    assertThat(lines).extracting(e -> io.mtxtoolkit.testkit.logging.CapturedLines.arguments(e))
        .anySatisfy(args -> assertThat(args).contains("event=worker-clock-jumped"));
  }

  @Test
  void silenceFillsOnlyRealGapsInTheSourcesLayout() {
    AudioClock clock = new AudioClock(false);
    Frame planar = new Frame();
    planar.sampleRate = 48_000;
    planar.audioChannels = 2;
    planar.samples = new java.nio.Buffer[] {java.nio.FloatBuffer.allocate(1024), java.nio.FloatBuffer.allocate(1024)};
    assertThat(clock.place(500_000, 48_000)).as("without pictures, the first audio starts the count").isZero();
    clock.written(planar);
    assertThat(clock.writtenMicros()).isEqualTo(21_333);
    assertThat(clock.place(500_000 + 21_333 + 50_000, 48_000)).as("jitter").isZero();
    assertThat(clock.place(500_000 + 21_333 + 1_000_000, 48_000)).isEqualTo(48_000);
    assertThat(clock.place(500_000 + 120_000_000, 48_000)).as("a clock jump, not a gap").isZero();
    assertThat(clock.place(500_000 + 21_333 - 50_000, 48_000)).as("jitter behind").isZero();
    assertThat(clock.place(500_000 - 200_000, 48_000)).as("audio the count has passed is dropped").isEqualTo(-1);
    assertThat(clock.place(500_000 + 21_333 - 50_000, 48_000)).as("once dropping, until no longer behind").isEqualTo(-1);
    assertThat(clock.place(500_000 + 21_333, 48_000)).isZero();
    assertThat(AudioClock.silence(planar, 10).samples).hasSize(2).allMatch(b -> b.remaining() == 10 && b instanceof java.nio.FloatBuffer);

    Frame interleaved = new Frame();
    interleaved.sampleRate = 44_100;
    interleaved.audioChannels = 2;
    interleaved.samples = new java.nio.Buffer[] {java.nio.ShortBuffer.allocate(2048)};
    assertThat(AudioClock.samplesPerChannel(interleaved)).isEqualTo(1024);
    Frame quiet = AudioClock.silence(interleaved, 10);
    assertThat(quiet.samples).hasSize(1).allMatch(b -> b.remaining() == 20 && b instanceof java.nio.ShortBuffer);
    assertThat(AudioClock.samplesPerChannel(quiet)).isEqualTo(10);
    interleaved.samples = new java.nio.Buffer[] {java.nio.ByteBuffer.allocate(4)};
    assertThat(((java.nio.ByteBuffer) AudioClock.silence(interleaved, 2).samples[0]).get(0)).as("unsigned 8-bit silence")
        .isEqualTo((byte) 0x80);
  }

  @Test
  void withPicturesAudioCountsFromTheFirstPictureAndSilenceKeepsItUp() {
    AudioClock clock = new AudioClock(true);
    assertThat(clock.place(160_000, 48_000)).as("audio that starts 160 ms after the first picture starts with silence")
        .isEqualTo(7_680);
    AudioClock late = new AudioClock(true);
    assertThat(late.behind(400_000, 48_000)).as("within the lag: nothing yet").isZero();
    assertThat(late.behind(700_000, 48_000)).as("no audio 0.7 s into the pictures: silence up to 0.5 s behind")
        .isEqualTo(9_600);
    late.written(AudioClock.silence(48_000, 2, 9_600));
    assertThat(late.writtenMicros()).isEqualTo(200_000);
    assertThat(late.behind(720_000, 48_000)).isEqualTo(960);
    assertThat(late.behind(3_600_000_000L, 48_000)).as("a step of the pictures' clock is not filled").isZero();

    // Audio that keeps coming 0.7 s behind the pictures in arrival order (a live source: the wall clock goes as the
    // pictures do): the silence that kept the muxer going before it came costs its first 0.2 s once; after that it
    // is placed by its own time, less than one frame late, never replaced.
    AudioClock trailing = new AudioClock(true);
    long lastGap = Long.MIN_VALUE;
    for (long picture = 0; picture <= 5_000_000; picture += 20_000) {
      trailing.written(AudioClock.silence(48_000, 2, (int) trailing.behind(picture, 48_000)));
      long audio = picture - 700_000;
      if (audio >= 0) {
        trailing.came();
        long before = trailing.place(audio, 48_000);
        if (audio > 300_000) {
          assertThat(before).as("audio at %d µs with the pictures at %d µs", audio, picture).isNotNegative();
          lastGap = trailing.writtenMicros() - audio;
        }
        if (before >= 0) {
          trailing.written(AudioClock.silence(48_000, 2, (int) before + 960)); // its silence, then its 20 ms
        }
      }
    }
    assertThat(lastGap).as("how late the audio plays (µs)").isBetween(0L, 21_333L);

    // A step of the pictures' time alone, right after audio came, counts as one picture: no silence over real audio.
    AudioClock stepped = new AudioClock(true);
    stepped.behind(0, 48_000);
    stepped.came();
    assertThat(stepped.behind(700_000, 48_000)).isZero();
    // While the audio stays away, pictures bring silence after 0.5 s of them: the step counted 0.25 s, then 40 ms each.
    long firstSilenceAt = -1;
    for (long picture = 740_000; picture <= 1_300_000 && firstSilenceAt < 0; picture += 40_000) {
      long quiet = stepped.behind(picture, 48_000);
      if (quiet > 0) {
        firstSilenceAt = picture;
        assertThat(quiet).as("up to 0.5 s behind the picture").isEqualTo(23_040);
      }
    }
    assertThat(firstSilenceAt).isEqualTo(980_000);

    // Audio that comes in bursts 0.75 s apart: the wait grows to its gap, so no silence pushes it back to be dropped.
    assertThat(bursts(750_000, 0)).as("frames dropped over 30 s of bursts").isLessThanOrEqualTo(15L);
    // A 20 s outage first: the wait still learns the bursts after it...
    assertThat(bursts(750_000, 20_000_000)).isLessThanOrEqualTo(15L);
    // ...but does not take the outage for a burst's gap: the next stop is filled after 0.5 s again, not 0.9 s.
    AudioClock outage = new AudioClock(true);
    outage.behind(0, 48_000);
    outage.came();
    for (long picture = 20_000; picture <= 20_000_000; picture += 20_000) {
      outage.written(AudioClock.silence(48_000, 2, (int) outage.behind(picture, 48_000)));
    }
    outage.came();
    long filledAt = -1;
    for (long picture = 20_020_000; filledAt < 0 && picture < 22_000_000; picture += 20_000) {
      filledAt = outage.behind(picture, 48_000) > 0 ? picture : -1;
    }
    assertThat(filledAt - 20_000_000).as("how long the next silence waited (µs)").isBetween(480_000L, 520_000L);
  }

  /** Frames dropped over 30 s of continuous audio sent every {@code every} µs, after {@code outage} µs without any. */
  private static long bursts(long every, long outage) {
    AudioClock clock = new AudioClock(true);
    long nextAudio = 0; // the source's audio is continuous: 1024-sample frames at 48 kHz
    long sent = outage > 0 ? outage : 0;
    for (long picture = 0; picture <= 30_000_000 + outage; picture += 20_000) {
      clock.written(AudioClock.silence(48_000, 2, (int) clock.behind(picture, 48_000)));
      boolean due = picture == 0 || picture >= sent + every;
      if (picture == 0 || picture > outage && due) {
        sent = picture;
        if (picture > 0 && outage > 0 && nextAudio < outage) {
          nextAudio = outage; // the audio resumes where the outage ends
        }
        for (; nextAudio <= picture; nextAudio += 21_333) {
          clock.came();
          long before = clock.place(nextAudio, 48_000);
          if (before >= 0) {
            clock.written(AudioClock.silence(48_000, 2, (int) before + 1024));
          }
        }
      }
    }
    return clock.dropped();
  }

  /** A source whose tracks are neither video nor audio: no reconnect can help, so exit 5 at once, not 4 after 7 s. */
  @Test
  void aSourceWithNoVideoOrAudioTrackIsAMediaErrorWithoutReconnects(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    java.nio.file.Path subtitles = MultiTrack.subtitlesOnly(dir.resolve("subtitles.mkv"));
    StreamWorker worker = worker("file:" + subtitles, rtmp("live/test/out"), WorkerConfig.Mode.PASSTHROUGH,
        Duration.ofSeconds(2));

    WorkerResult r = worker.run();

    assertThat(r.exit()).as(r.reason()).isEqualTo(WorkerExit.MEDIA_ERROR);
    assertThat(r.reason()).contains("no video or audio track");
    assertThat(states).extracting(Timed::state).doesNotContain(WorkerState.RECONNECTING);
  }

  /**
   * A publisher whose media breaks off mid-tag, or turns to garbage after a valid start (issue #9): what was valid
   * reaches /out, the worker ends with a reason rather than a crash, in either mode.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"PASSTHROUGH, true", "PASSTHROUGH, false", "TRANSCODE, true", "TRANSCODE, false"})
  void mediaThatBreaksOffOrTurnsToGarbageEndsWithAReason(WorkerConfig.Mode mode, boolean garbage,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    byte[] clip = java.nio.file.Files.readAllBytes(io.mtxtoolkit.testkit.stream.TestClip.writeFlv(dir.resolve("clip.flv"), 0, 75, true));
    byte[] broken = java.util.Arrays.copyOf(clip, clip.length / 2 + (garbage ? 64 * 1024 : 0));
    java.util.stream.IntStream.range(clip.length / 2, broken.length).forEach(i -> broken[i] = (byte) (i * 31 + 7));
    java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("broken.flv"), broken);
    String url = rtmp("live/test/out");

    try (RtmpSink sink = RtmpSink.listen(url, Duration.ofSeconds(30))) {
      WorkerResult[] r = new WorkerResult[1];
      var lines = linesOf(() -> r[0] = CompletableFuture.supplyAsync(() -> worker("file:" + file, url, mode,
          Duration.ofSeconds(1)).run()).get(60, TimeUnit.SECONDS));

      // the sink takes one publisher, so later sessions fail to publish (output lost): the first session's end is
      // the source's
      assertThat(r[0].exit()).as(r[0].reason()).isIn(WorkerExit.SOURCE_LOST, WorkerExit.MEDIA_ERROR, WorkerExit.OUTPUT_LOST);
      assertThat(withEvent(lines, "worker-reconnect")).first().extracting(e -> java.util.Arrays.toString(e.getArgumentArray()))
          .asString().as("why the broken source's session ended").containsAnyOf("source ended", "source stalled", "read failed");
      assertThat(sink.packetCount()).as("the valid start reached /out").isGreaterThan(10);
      List<Long> video = sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO);
      assertThat(video).as("no made-up pictures from the broken part").isSorted()
          .allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(3_000_000L));
    }
  }

  /**
   * After its stream's not-ready, losing the source is the publisher leaving: the verdict says so at WARN, where a
   * source lost while its stream is ready is a failure at ERROR.
   */
  @Test
  void aSourceLostAfterItsPublisherLeftIsNoErrorLine() throws Exception {
    for (boolean left : new boolean[] {false, true}) {
      StreamWorker worker = worker(rtmp("live/gone/in"), rtmp("live/gone/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1));
      worker.publisherReady(!left);
      WorkerResult[] r = new WorkerResult[1];
      var verdict = withEvent(linesOf(() -> r[0] = worker.run()), WorkerEvents.FAILED);
      assertThat(r[0].exit()).isEqualTo(WorkerExit.SOURCE_LOST);
      assertThat(verdict).singleElement().satisfies(line -> {
        assertThat(line.getLevel()).as("publisher left: %s", left)
            .isEqualTo(left ? ch.qos.logback.classic.Level.WARN : ch.qos.logback.classic.Level.ERROR);
        assertThat(line.getFormattedMessage().endsWith("(its publisher had left)")).isEqualTo(left);
      });
    }
  }

  /** MediaMTX's authInternalUsers put credentials in the URLs; no reason or line shows them. */
  @Test
  void credentialsInTheUrlsAreNeverShown() {
    int closed = FreePorts.tcp();
    StreamWorker worker = worker("rtmp://reader:s3cret@127.0.0.1:" + closed + "/live/test/in",
        "rtmp://pub:s3cret@127.0.0.1:" + closed + "/live/test/out", WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1));

    WorkerResult r = worker.run();

    assertThat(r.exit()).isEqualTo(WorkerExit.SOURCE_LOST);
    assertThat(r.reason()).contains("rtmp://127.0.0.1:" + closed + "/live/test/in").doesNotContain("s3cret");
    assertThatThrownBy(() -> new WorkerConfig(StreamId.of("test"), "http://u:s3cret@h/x", "rtmp://h/y",
        WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(1), FAST)).hasMessageNotContaining("s3cret")
        .hasMessageContaining("http://h/x");
  }

  @Test
  void picturesFollowTheSourceClockOnTheEncodersGrid() {
    assertThat(StreamWorker.placePicture(0, 0, 25)).isZero();
    assertThat(StreamWorker.placePicture(2_000_000, 40_000, 25)).as("a gap: jump to the picture's time").isEqualTo(2_000_000);
    assertThat(StreamWorker.placePicture(30_000, 40_000, 25)).as("within a slot: the next slot").isEqualTo(40_000);
    assertThat(StreamWorker.placePicture(0, 40_000, 25)).as("a whole slot behind: dropped").isEqualTo(-1);
    // A 30 fps source on a 25 fps grid: one picture in six is dropped, and the last one lands on its own time.
    long next = 0;
    int kept = 0;
    for (int i = 0; i < 300; i++) {
      long at = StreamWorker.placePicture(i * 1_000_000L / 30, next, 25);
      if (at >= 0) {
        kept++;
        next = at + 40_000;
      }
    }
    assertThat(kept).isBetween(249, 251);
    assertThat(Math.abs(next - 40_000 - 299 * 1_000_000L / 30)).as("the grid stays on the source clock (µs)")
        .isLessThanOrEqualTo(40_000L);
  }

  /** The worker's own lines while {@code run} runs. */
  private static List<ch.qos.logback.classic.spi.ILoggingEvent> linesOf(io.mtxtoolkit.testkit.logging.CapturedLines.Action run)
      throws Exception {
    // the package's logger: the worker's own lines and its lifecycle lines (WorkerEvents.LIFECYCLE_LOGGER)
    return io.mtxtoolkit.testkit.logging.CapturedLines.during("io.mtxtoolkit.worker", run);
  }

  private static List<ch.qos.logback.classic.spi.ILoggingEvent> withEvent(List<ch.qos.logback.classic.spi.ILoggingEvent> lines, String event) {
    return io.mtxtoolkit.testkit.logging.CapturedLines.withEvent(lines, event);
  }

  /** Each reconnect attempt is one line with its number, delay and cause, and the stream's correlation fields. */
  @Test
  void eachReconnectAttemptIsALineWithTheStreamsFields() throws Exception {
    var lines = linesOf(() -> worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1), "conn-9")
        .run());
    List<ch.qos.logback.classic.spi.ILoggingEvent> reconnects = withEvent(lines, "worker-reconnect");
    assertThat(withEvent(lines, "worker-failed")).singleElement().as("the verdict is an error line")
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR));
    assertThat(reconnects).hasSize(3);
    for (int i = 0; i < 3; i++) {
      ch.qos.logback.classic.spi.ILoggingEvent e = reconnects.get(i);
      assertThat(e.getMDCPropertyMap()).containsEntry("streamId", "test").containsEntry("path", "live/test/in")
          .containsEntry("sourceId", "conn-9");
      assertThat(java.util.Arrays.toString(e.getArgumentArray())).contains("attempt=" + (i + 1))
          .contains("delayMs=" + (100 << i)).contains("cause=cannot read rtmp://");
    }
  }

  /** A publisher change told while the worker reconnects: its later lines name the new publisher. */
  @Test
  void linesAfterAPublisherChangeNameTheNewPublisher() throws Exception {
    java.util.concurrent.atomic.AtomicReference<StreamWorker> ref = new java.util.concurrent.atomic.AtomicReference<>();
    WorkerConfig config = new WorkerConfig(StreamId.of("test"), rtmp("live/test/in"), rtmp("live/test/out"),
        WorkerConfig.Mode.PASSTHROUGH, null, Duration.ofSeconds(1), FAST);
    ref.set(new StreamWorker(config, "conn-9", s -> {
      if (s == WorkerState.RECONNECTING) {
        ref.get().publisherChanged("conn-10");
      }
    }));
    var lines = linesOf(() -> ref.get().run());

    assertThat(withEvent(lines, "worker-reconnect")).extracting(e -> e.getMDCPropertyMap().get("sourceId"))
        .as("told while the first attempt's line was being made").containsExactly("conn-9", "conn-10", "conn-10");
    assertThat(withEvent(lines, "worker-failed")).singleElement()
        .satisfies(e -> assertThat(e.getMDCPropertyMap()).containsEntry("sourceId", "conn-10"));
  }

  /**
   * A live source whose audio stops (a camera that declares audio and sends little or none): the pictures must go
   * on reaching /out as they come. An interleaving muxer would hold them until 10 s of video had piled up
   * (FFmpeg's max_interleave_delta) waiting for audio to put between them.
   */
  @Test
  void picturesKeepFlowingToOutWhenTheSourcesAudioStops() throws Exception {
    String in = rtmp("live/test/in");
    String out = rtmp("live/test/out");
    String ffmpeg = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
    Process source = new ProcessBuilder(ffmpeg, "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=44100:duration=0.5",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-c:a", "aac", "-t", "30",
        "-f", "flv", "-listen", "1", in).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (RtmpSink sink = RtmpSink.listen(out, Duration.ofSeconds(30))) {
      FreePorts.awaitListening(in, Duration.ofSeconds(20));
      StreamWorker worker = worker(in, out, WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(4));
      CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
      await("the worker publishing").atMost(Duration.ofSeconds(20)).until(() -> worker.state() == WorkerState.RUNNING);
      long running = System.nanoTime();
      // 4 s of wall time after the start: the pictures published by then must reach well past the audio's end
      await("pictures past the audio's end at /out").atMost(Duration.ofSeconds(6))
          .until(() -> sink.timestamps(avutil.AVMEDIA_TYPE_VIDEO).stream().mapToLong(Long::longValue).max().orElse(0) > 2_500_000);
      System.out.printf("pictures 2.5 s past the audio's end reached /out %d ms after the worker started publishing%n",
          (System.nanoTime() - running) / 1_000_000);
      worker.stop();
      result.get(15, TimeUnit.SECONDS);
    } finally {
      source.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The caller's correlation fields are there again after a run: mtx-worker's crash line is written with them. */
  @Test
  void aRunLeavesItsCallersFieldsAsItFoundThem() {
    org.slf4j.MDC.put("streamId", "caller");
    org.slf4j.MDC.put("extra", "kept");
    try {
      worker(rtmp("live/test/in"), rtmp("live/test/out"), WorkerConfig.Mode.PASSTHROUGH, Duration.ofSeconds(1), "conn-1").run();
      assertThat(org.slf4j.MDC.getCopyOfContextMap()).containsEntry("streamId", "caller").containsEntry("extra", "kept")
          .doesNotContainKey("sourceId");
    } finally {
      org.slf4j.MDC.clear();
    }
  }

  /** Runs a worker from {@code file} into a fresh sink until the file's end closes /out's session; the sink's packets stay readable. */
  private RtmpSink runToEnd(java.nio.file.Path file, WorkerConfig.Mode mode) throws Exception {
    String url = rtmp("live/test/out");
    try (RtmpSink sink = RtmpSink.listen(url, Duration.ofSeconds(30))) {
      StreamWorker worker = worker("file:" + file, url, mode, Duration.ofSeconds(2));
      CompletableFuture<WorkerResult> result = CompletableFuture.supplyAsync(worker::run);
      assertThat(sink.awaitEnd(Duration.ofSeconds(30))).as("the file's end closes /out's session").isTrue();
      worker.stop();
      result.get(30, TimeUnit.SECONDS);
      return sink;
    }
  }
}
