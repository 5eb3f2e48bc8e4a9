package io.mtxtoolkit.testkit.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;

/**
 * The publisher against FFmpeg's own RTMP listener (libavformat in listen mode): proves the stream is
 * H.264 + AAC at the requested size without needing MediaMTX; the MediaMTX tests cover the rest.
 */
class TestStreamPublisherTest {

  /** Over RTMP, and over RTSP (TCP) to FFmpeg's RTSP server mode, as to MediaMTX's RTSP port. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"rtmp", "rtsp"})
  void publishesH264AndAac(String scheme) throws Exception {
    String url = scheme + "://127.0.0.1:" + FreePorts.tcp() + "/live/test/in";
    CompletableFuture<int[]> received = CompletableFuture.supplyAsync(() -> {
      try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(url)) {
        if (scheme.equals("rtmp")) {
          grabber.setFormat("flv");
          grabber.setOption("listen", "1");
          grabber.setOption("timeout", "20");
        } else {
          grabber.setFormat("rtsp");
          grabber.setOption("rtsp_flags", "listen");
          grabber.setOption("listen_timeout", "20");
        }
        // start() holds javacv's global codec lock while it waits for the publisher, which would block
        // the publisher's own start() in this JVM; startUnsafe() waits without the lock.
        grabber.startUnsafe();
        int video = 0;
        int audio = 0;
        for (Frame f; (f = grabber.grab()) != null && video < 30; ) {
          if (f.image != null) {
            video++;
          } else if (f.samples != null) {
            audio++;
          }
        }
        return new int[] {grabber.getVideoCodec(), grabber.getAudioCodec(), grabber.getImageWidth(),
            grabber.getImageHeight(), video, audio};
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    TestStreamPublisher publisher = connectWhenListening(url);
    try {
      int[] r = received.get(30, TimeUnit.SECONDS);
      assertThat(r[0]).as("video codec").isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(r[1]).as("audio codec").isEqualTo(avcodec.AV_CODEC_ID_AAC);
      assertThat(r[2]).isEqualTo(320);
      assertThat(r[3]).isEqualTo(240);
      assertThat(r[4]).isEqualTo(30);
      assertThat(r[5]).isPositive();
      assertThat(publisher.frames()).isGreaterThanOrEqualTo(30);
    } finally {
      publisher.close();
    }
    assertThat(publisher.isRunning()).isFalse();
  }

  /** Publishes once the listener at {@code url} listens, seen without connecting (it serves one connection only). */
  private static TestStreamPublisher connectWhenListening(String url) {
    return connectWhenListening(url, TestStreamOptions.defaults());
  }

  private static TestStreamPublisher connectWhenListening(String url, TestStreamOptions options) {
    FreePorts.awaitListening(url, Duration.ofSeconds(15));
    return TestStreamPublisher.start(url, options);
  }

  @Test
  void boundedDurationEndsOnItsOwn() throws Exception {
    String url = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/short/in";
    CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
      try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(url)) {
        grabber.setFormat("flv");
        grabber.setOption("listen", "1");
        grabber.setOption("timeout", "20");
        grabber.startUnsafe();
        int n = 0;
        while (grabber.grab() != null) {
          n++;
        }
        return n;
      } catch (Exception e) {
        return -1;
      }
    });
    TestStreamPublisher publisher = connectWhenListening(url, TestStreamOptions.defaults().withDuration(Duration.ofSeconds(1)));
    assertThat(publisher.awaitEnd(Duration.ofSeconds(10))).isTrue();
    assertThat(publisher.frames()).isEqualTo(25);
    assertThat(publisher.failure()).isNull();
    assertThat(received.get(15, TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void unreachableServerIsAClearError() {
    String url = "rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/test/in";
    assertThatThrownBy(() -> TestStreamPublisher.start(url, TestStreamOptions.defaults()))
        .isInstanceOfSatisfying(TestStreamPublisher.PublishException.class,
            e -> assertThat(e.reason()).isEqualTo(TestStreamPublisher.PublishException.Reason.UNREACHABLE))
        .hasMessageContaining("cannot publish to " + url);
  }

  @Test
  void aServerThatEndsTheSessionHasRefusedTheStream() throws Exception {
    // What a media server does with a path it does not accept: it answers, then hangs up.
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread hangUp = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            server.accept().close();
          } catch (java.io.IOException closed) {
            return;
          }
        }
      });
      hangUp.setDaemon(true);
      hangUp.start();
      String url = "rtmp://127.0.0.1:" + server.getLocalPort() + "/live/test/in";
      assertThatThrownBy(() -> TestStreamPublisher.start(url, TestStreamOptions.defaults()))
          .isInstanceOfSatisfying(TestStreamPublisher.PublishException.class,
              e -> assertThat(e.reason()).isEqualTo(TestStreamPublisher.PublishException.Reason.REJECTED))
          .hasMessageContaining(url + " refused the stream: the server answers on port " + server.getLocalPort());
    }
  }

  @Test
  void listenersGiveUpWhenNobodyComesEvenWithASubSecondWait() throws Exception {
    // A wait under 1 s once became FFmpeg's listen timeout 0: wait for ever, holding the port.
    try (RtmpSink sink = RtmpSink.listen("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s/out", Duration.ofMillis(300))) {
      assertThat(sink.awaitEnd(Duration.ofSeconds(10))).as("the sink's listener timed out").isTrue();
    }
    assertThatThrownBy(() -> TestStreamPublisher.serve("rtmp://127.0.0.1:" + FreePorts.tcp() + "/live/s/in",
        TestStreamOptions.defaults(), Duration.ofMillis(300))).hasMessageContaining("no reader connected");
  }

  @Test
  void invalidUrlsAreRejectedBeforeConnecting() {
    assertThatThrownBy(() -> TestStreamPublisher.start("http://x/live/a/in", TestStreamOptions.defaults()))
        .hasMessageContaining("expected rtmp://host[:port]/path");
    assertThatThrownBy(() -> TestStreamPublisher.start("rtmp://bad host/x", TestStreamOptions.defaults()))
        .hasMessageContaining("invalid URL");
    assertThatThrownBy(() -> TestStreamPublisher.start("rtmp:///nohost", TestStreamOptions.defaults()))
        .hasMessageContaining("expected rtmp://host[:port]/path");
  }

  /**
   * FFmpeg's RTSP muxer reports a server that took the connection and never answered as invalid data, after its
   * 10 s socket timeout: that is no answer (exit 4), not a refusal (6), though the port takes connections.
   */
  @Test
  void aStartThatWaitedOutTheSocketTimeoutIsNoAnswerNotARefusal() throws Exception {
    try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      java.net.URI url = java.net.URI.create("rtsp://127.0.0.1:" + listening.getLocalPort() + "/live/a/in");
      Exception invalidData = new Exception("avformat_write_header error -1094995529: Could not write header");
      assertThat(TestStreamPublisher.PublishException.cannotStart(url, invalidData, TestStreamPublisher.SOCKET_TIMEOUT).reason())
          .isEqualTo(TestStreamPublisher.PublishException.Reason.UNREACHABLE);
      assertThat(TestStreamPublisher.PublishException.cannotStart(url, invalidData, Duration.ofMillis(30)).reason())
          .as("an answer that came at once and ended the session").isEqualTo(TestStreamPublisher.PublishException.Reason.REJECTED);
    }
  }

  /** Compose service names may carry '_', which java.net.URI does not take as a host; FFmpeg and the resolver do. */
  @Test
  void aHostWithAnUnderscoreIsAHost() {
    java.net.URI url = TestStreamPublisher.parse("rtmp://media_mtx:1936/live/a/in");
    assertThat(TestStreamPublisher.host(url)).isEqualTo("media_mtx");
    assertThat(TestStreamPublisher.port(url)).isEqualTo(1936);
    assertThat(TestStreamPublisher.port(TestStreamPublisher.parse("rtsp://user@media_mtx/live/a/in"))).isEqualTo(-1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestStreamPublisher.parse("rtmp://media_mtx:0/live/a/in"))
        .hasMessageContaining("outside 1..65535");
  }
}
