package io.mtxtoolkit.testkit.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mtxtoolkit.core.api.ApiPath;
import io.mtxtoolkit.core.api.ApiRtmpConn;
import io.mtxtoolkit.core.api.MediaMtxApiClient;
import io.mtxtoolkit.testkit.stream.PlayReport;
import io.mtxtoolkit.testkit.stream.TestStreamOptions;
import io.mtxtoolkit.testkit.stream.TestStreamPlayer;
import io.mtxtoolkit.testkit.stream.TestStreamPublisher;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** First integration test on the real MediaMTX: an RTMP publish shows up in the Control API. */
@Tag("mediamtx")
class RtmpPublishTest {
  @RegisterExtension
  static MediaMtxExtension mediamtx = MediaMtxExtension.create();

  /**
   * MediaMTX path names allow only [0-9a-zA-Z_-/.~]. The accepted versions (up to v1.18.2) confirm an RTMP publish
   * first and drop the connection after checking the name, so the start succeeds and the session then breaks off;
   * a server that refuses at once is accepted too. Either way the stream never becomes a path, and the publisher ends.
   */
  @Test
  void aPathNameMediaMtxDoesNotAcceptIsRefused(MediaMtxServer server) throws Exception {
    String url = server.rtmpUrl("live/bad!id/in");
    TestStreamPublisher started = null;
    try {
      started = TestStreamPublisher.start(url, TestStreamOptions.defaults());
    } catch (TestStreamPublisher.PublishException e) {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(TestStreamPublisher.PublishException.Reason.REJECTED);
      assertThat(e).hasMessageContaining("refused the stream");
    }
    if (started != null) {
      try (TestStreamPublisher accepted = started) {
        assertThat(accepted.awaitEnd(Duration.ofSeconds(10))).as("the server drops a publish it accepted first").isTrue();
        assertThat(accepted.failure()).isInstanceOf(TestStreamPublisher.PublishException.class);
      }
    }
    assertThat(new MediaMtxApiClient(server.apiBaseUrl()).listPaths()).noneMatch(p -> p.name().contains("bad"));
  }

  /** Spec user story 5: the test kit's stream goes through MediaMTX and its player reads it back, RTMP in, RTSP out. */
  @Test
  void test_publish_and_playback_test_stream(MediaMtxServer server) {
    try (TestStreamPublisher publisher = TestStreamPublisher.start(server.rtmpUrl("live/play/in"),
        TestStreamOptions.defaults().withTimecode(true))) {
      assertThat(server.awaitReady("live/play/in", Duration.ofSeconds(10)).tracks()).contains("H264");
      PlayReport report = TestStreamPlayer.play(server.rtspUrl("live/play/in"), Duration.ofSeconds(3), Long.MAX_VALUE,
          Duration.ofSeconds(10), null);

      assertThat(report.videoCodec()).isEqualTo("h264");
      assertThat(report.audioCodec()).isEqualTo("aac");
      assertThat(report.width()).isEqualTo(TestStreamOptions.defaults().width());
      assertThat(report.videoFrames()).as("pictures read back").isPositive();
      assertThat(report.audioFrames()).as("sound read back").isPositive();
      assertThat(report.measuredFps()).as("frame rate within 10%% of the published %d fps", TestStreamOptions.defaults().fps())
          .isCloseTo(TestStreamOptions.defaults().fps(), org.assertj.core.data.Percentage.withPercentage(10));
      assertThat(report.gaps()).as("no frame intervals over 2.5 frame durations").isZero();
      assertThat(report.latencyMs()).as("the burned-in timecode was read").isNotNull();
      assertThat(publisher.frames()).isPositive();
    }
  }

  @Test
  void publishedStreamIsReadyWithH264AndAacAndItsPublisherIsListed(MediaMtxServer server) {
    MediaMtxApiClient api = new MediaMtxApiClient(server.apiBaseUrl());
    try (TestStreamPublisher publisher = TestStreamPublisher.start(server.rtmpUrl("live/test/in"), TestStreamOptions.defaults())) {
      ApiPath path = await("live/test/in ready in /v3/paths/list").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> api.listPaths().stream().filter(p -> p.name().equals("live/test/in") && p.ready()).findFirst(),
              java.util.Optional::isPresent)
          .orElseThrow();
      assertThat(path.tracks()).containsExactlyInAnyOrder("H264", "MPEG-4 Audio");
      assertThat(path.source().type()).isEqualTo("rtmpConn");

      List<ApiRtmpConn> conns = api.listRtmpConns();
      assertThat(conns).filteredOn(c -> c.path().equals("live/test/in"))
          .singleElement()
          .satisfies(c -> {
            assertThat(c.state()).isEqualTo("publish");
            assertThat(c.id()).isEqualTo(path.source().id());
          });
      assertThat(publisher.frames()).isPositive();
    }
    await("live/test/in gone after the publisher left").atMost(Duration.ofSeconds(10))
        .until(() -> api.getPath("live/test/in").map(p -> !p.ready()).orElse(true));
  }
}
