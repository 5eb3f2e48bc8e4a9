package io.mtxtoolkit.testkit.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;

class TimecodeTest {

  @Test
  void roundTripsInARawFrame() {
    Frame frame = new TestPattern(320, 240, 48_000, 1000).videoFrame(3);
    long now = System.currentTimeMillis();
    Timecode.write(frame, now);
    assertThat(Timecode.read(frame)).hasValue(now & ((1L << 40) - 1));
    assertThat(Timecode.latency(now & ((1L << 40) - 1), now + 42)).isEqualTo(42);
    assertThat(Timecode.bandHeight(240)).isEqualTo(30);
  }

  /** A picture too short for the code's rows (a 128x8 stream) reads as no code; it used to read past its buffer. */
  @Test
  void aPictureTooShortForTheCodeReadsAsEmpty() {
    assertThat(Timecode.read(new Frame(Timecode.MIN_WIDTH, 8, Frame.DEPTH_UBYTE, 3))).isEmpty();
  }

  @Test
  void aFrameWithoutACodeReadsAsEmpty() {
    assertThat(Timecode.read(new TestPattern(320, 240, 48_000, 1000).videoFrame(0))).isEmpty();
    assertThat(Timecode.read(null)).isEmpty();
    assertThat(Timecode.read(new Frame(40, 40, Frame.DEPTH_UBYTE, 3))).isEmpty();
  }

  /** The plain test pattern (colour bars, a moving bar) must never pass for a code: 5000 frames, 200 s of video. */
  @Test
  void thePlainTestPatternIsNeverReadAsACode() {
    TestPattern pattern = new TestPattern(320, 240, 48_000, 1000);
    for (int i = 0; i < 5000; i++) {
      assertThat(Timecode.read(pattern.videoFrame(i))).as("frame %d", i).isEmpty();
    }
  }

  @Test
  void latencyIsSignedAndACodeFarFromNowIsNone() {
    long now = 1_790_000_000_000L;
    long code = now & ((1L << 40) - 1);
    assertThat(Timecode.latency(code, now - 5)).as("a clock stepped back").isEqualTo(-5);
    assertThat(Timecode.plausibleLatency(code, now + 120)).hasValue(120);
    assertThat(Timecode.plausibleLatency(code, now - 5)).as("jitter of a clock read twice").hasValue(-5);
    assertThat(Timecode.plausibleLatency(code, now + 61_000)).as("not a code of this run").isEmpty();
    assertThat(Timecode.plausibleLatency(code, now - 2_000)).isEmpty();
  }

  @Test
  void survivesH264AtTheDefaultBitrateAndGivesLatency() throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/tc/in";
    TestStreamOptions options = TestStreamOptions.defaults().withTimecode(true);
    java.util.concurrent.CompletableFuture<PlayReport> played = FreePorts.onceListening(port,
        () -> TestStreamPlayer.play(url, Duration.ofSeconds(3), 1000, Duration.ofSeconds(5), null));
    try (TestStreamPublisher server = TestStreamPublisher.serve(url, options, Duration.ofSeconds(20))) {
      PlayReport report = played.get(60, TimeUnit.SECONDS);
      assertThat(report.videoCodec()).isEqualTo("h264");
      assertThat(report.audioCodec()).isEqualTo("aac");
      assertThat(report.latencyMs()).as("timecode decoded after H.264").isNotNull();
      assertThat(report.latencyMs().samples()).as("frames with a valid code").isGreaterThan(report.videoFrames() > 40 ? 30 : 10);
      assertThat(report.latencyMs().p50()).isBetween(0L, 2000L);
      // How low the latency is, and whether a loaded machine keeps up with 25 fps, are speed: LatencyBench's direct
      // row measures them. Here only the burst's 37 fps must not count as the source's rate.
      assertThat(report.measuredFps()).as("measured after the burst: the source's 25, not the burst's 37").isPositive()
          .isLessThan(34.0);
      assertThat(report.summary()).contains("latency p50");
    }
  }

  @Test
  void aListeningPlayerReadsThePublisherThatConnectsAndLeavesOutTheWarmUp() throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/tc/out";
    java.util.concurrent.CompletableFuture<PlayReport> played = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> TestStreamPlayer.listen(url, Duration.ofSeconds(3), Long.MAX_VALUE, Duration.ofSeconds(20), Duration.ofSeconds(1)));
    FreePorts.awaitListening(port, Duration.ofSeconds(10));
    try (TestStreamPublisher publisher = TestStreamPublisher.start(url, TestStreamOptions.defaults().withTimecode(true))) {
      PlayReport report = played.get(60, TimeUnit.SECONDS);
      assertThat(report.videoFrames()).isGreaterThan(40);
      assertThat(report.latencyMs()).isNotNull();
      assertThat((long) report.latencyMs().samples()).as("frames of the first second left out")
          .isBetween(10L, report.videoFrames() - 15);
    }
  }
}
