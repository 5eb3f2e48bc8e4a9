package io.mtxtoolkit.testkit.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mtxtoolkit.testkit.mediamtx.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TestStreamPlayerTest {

  /** A server on a free loopback port that accepts connections and never writes a byte; closing it closes them all. */
  private static final class Silent implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    Silent() throws IOException {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            accepted.add(server.accept()); // held open, never written to
          } catch (IOException ignored) {
            // the test closed the server
          }
        }
      }, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /**
   * javacv opens twice when an open fails, so a silent server used to hold a reader for twice its timeout; the
   * reader's timeout now bounds the open as a whole.
   */
  @Test
  void aSilentServerIsGivenUpOnWithinTheTimeoutNotTwiceIt() throws Exception {
    FFmpegNatives.load(); // loading the libraries is no part of the wait
    Duration timeout = Duration.ofSeconds(3);
    for (String scheme : new String[] {"rtsp", "rtmp"}) {
      try (Silent server = new Silent()) {
        String url = scheme + "://127.0.0.1:" + server.port() + "/live/a/in";
        long started = System.nanoTime();
        assertThatThrownBy(() -> TestStreamPlayer.play(url, Duration.ofSeconds(5), Long.MAX_VALUE, timeout, null))
            .isInstanceOf(TestStreamPlayer.NoMediaException.class)
            .hasMessageContaining("no answer from " + url + " within 3000 ms");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as(scheme).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.multipliedBy(2));
      }
    }
  }

  @Test
  void aStopWhileTheServerHasNotAnsweredEndsTheWaitAsNoMedia() throws Exception {
    try (Silent server = new Silent()) {
      String url = "rtsp://127.0.0.1:" + server.port() + "/live/a/in";
      AtomicInteger asked = new AtomicInteger();
      assertThatThrownBy(() -> TestStreamPlayer.play(url, Duration.ofSeconds(5), Long.MAX_VALUE, Duration.ofSeconds(60),
          null, () -> asked.incrementAndGet() > 2))
          .isInstanceOf(TestStreamPlayer.NoMediaException.class).hasMessage("stopped before " + url + " answered");
    }
  }

  @Test
  void aStopWhileReadingReturnsTheReportOfWhatArrivedSoFar() throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/p/in";
    AtomicInteger asked = new AtomicInteger();
    // asked every 100 ms while the open is awaited (200 times: 20 s), then once per frame read: the stop comes
    // within 200 frames, a few seconds of a 60 s read
    CompletableFuture<PlayReport> played = FreePorts.onceListening(port, () -> TestStreamPlayer.play(url,
        Duration.ofSeconds(60), Long.MAX_VALUE, Duration.ofSeconds(30), null, () -> asked.incrementAndGet() > 200));
    try (TestStreamPublisher server = TestStreamPublisher.serve(url, TestStreamOptions.defaults(), Duration.ofSeconds(20))) {
      PlayReport report = played.get(40, TimeUnit.SECONDS);
      assertThat(report.videoFrames()).isPositive();
      assertThat(report.videoFrames() + report.audioFrames()).isLessThanOrEqualTo(200);
      assertThat(report.videoCodec()).isEqualTo("h264");
      assertThat(report.seconds()).isLessThan(30);
    }
  }

  /**
   * A read of 10 frames ends inside the first second, which latency leaves out: the report says a timecode came
   * and why there is no latency, and its frame rate comes from the frames' times, not from the burst FFmpeg hands
   * over after probing (which read as 1,600 fps).
   */
  @Test
  void aShortReadOfATimecodedStreamSaysWhyItHasNoLatency() throws Exception {
    int port = FreePorts.tcp();
    String url = "rtmp://127.0.0.1:" + port + "/live/short/in";
    CompletableFuture<PlayReport> played = FreePorts.onceListening(port,
        () -> TestStreamPlayer.play(url, Duration.ofSeconds(10), 10, Duration.ofSeconds(20), null, () -> false));
    try (TestStreamPublisher server = TestStreamPublisher.serve(url, TestStreamOptions.defaults().withTimecode(true),
        Duration.ofSeconds(20))) {
      PlayReport report = played.get(40, TimeUnit.SECONDS);
      assertThat(report.videoFrames()).isEqualTo(10);
      assertThat(report.timecodeFrames()).isPositive();
      assertThat(report.latencyMs()).isNull();
      assertThat(report.summary()).contains("timecode in", "first second").doesNotContain("no timecode");
      assertThat(report.measuredFps()).as("the stream's own rate").isCloseTo(report.nominalFps(),
          org.assertj.core.data.Offset.offset(2.0));
    }
  }
}
